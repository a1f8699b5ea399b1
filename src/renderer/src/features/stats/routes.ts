/** Statistics across all clients. */
import type { FeatureRoutes } from '@renderer/shell/nav'
import { IconChart } from '@renderer/ui/icons'

export const statsRoutes: FeatureRoutes = {
  nav: [
    {
      path: '/statistics',
      name: 'statistics',
      component: () => import('./StatisticsView.vue'),
      titleKey: 'nav.statistics',
      icon: IconChart,
      testId: 'nav-statistics',
      section: 'main'
    }
  ]
}
