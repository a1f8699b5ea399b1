/** The renderer built for the browser mode (served by the bridge, driven by the e2e tests). */
import vue from '@vitejs/plugin-vue'
import { resolve } from 'node:path'
import { defineConfig } from 'vite'

export default defineConfig({
  root: resolve('src/renderer'),
  base: './',
  resolve: {
    alias: {
      '@shared': resolve('src/shared'),
      '@renderer': resolve('src/renderer/src')
    }
  },
  plugins: [vue()],
  build: {
    outDir: resolve('out/web'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000
  }
})
