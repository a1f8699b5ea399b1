import { defineConfig } from 'vitest/config'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

// Key files (src/backend/secrets.ts) of the tests' data folders go to a temporary folder,
// never into the real home's config folder; the test workers and their children inherit it.
process.env.SMS_DESK_KEY_DIR ??= join(tmpdir(), 'sms-desk-test-keys')

const alias = {
  '@shared': resolve('src/shared'),
  '@renderer': resolve('src/renderer/src')
}

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' }
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 60_000
        }
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000
        }
      }
    ]
  }
})
