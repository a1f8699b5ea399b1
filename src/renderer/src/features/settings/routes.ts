/** Settings, pinned to the bottom of the sidebar. */
import type { FeatureRoutes } from '@renderer/shell/nav'
import { IconSettings } from '@renderer/ui/icons'

export const settingsRoutes: FeatureRoutes = {
  nav: [
    {
      path: '/settings',
      name: 'settings',
      component: () => import('./SettingsView.vue'),
      titleKey: 'nav.settings',
      icon: IconSettings,
      testId: 'nav-settings',
      section: 'footer'
    }
  ]
}
