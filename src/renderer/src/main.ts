// The API module goes first: in the browser mode it takes the bridge token out of the URL
// fragment before the hash router reads the location.
import './api'
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { useSettingsStore } from './stores/settings'
import { loadStore } from './features/store/startup'
import './styles.css'

async function bootstrap(): Promise<void> {
  const app = createApp(App)
  const pinia = createPinia()
  app.use(pinia)
  app.use(i18n)
  app.use(router)
  // Load the saved language and theme before the first paint; the app still opens when the
  // backend does not answer (the shell then shows the error).
  const settings = useSettingsStore(pinia)
  // The local store first: when it is damaged the app opens on the screen that says so
  // (settings live in that database, so the language is the one this browser remembers).
  if (await loadStore(pinia)) {
    await Promise.race([settings.load().catch(() => undefined), new Promise((r) => setTimeout(r, 3000))])
  }
  app.mount('#app')
}

void bootstrap()
