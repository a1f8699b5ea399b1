import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import { resolve } from 'node:path'

const alias = {
  '@shared': resolve('src/shared'),
  '@renderer': resolve('src/renderer/src')
}

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          syncWorker: resolve('src/backend/sync/worker.ts'),
          syncReader: resolve('src/backend/sync/readerWorker.ts'),
          exportWorker: resolve('src/backend/export/worker.ts'),
          statsZoneWorker: resolve('src/backend/stats/zoneWorker.ts')
        }
      }
    }
  },
  preload: {
    resolve: { alias },
    build: {
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve('src/renderer'),
    resolve: { alias },
    plugins: [vue()],
    build: {
      chunkSizeWarningLimit: 2000,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } }
    }
  }
})
