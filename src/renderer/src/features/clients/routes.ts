/** Clients: the list in the menu, and the client page (/clients/:id?tab=...) under it. */
import type { FeatureRoutes } from '@renderer/shell/nav'
import { IconUsers } from '@renderer/ui/icons'

export const clientsRoutes: FeatureRoutes = {
  nav: [
    {
      path: '/clients',
      name: 'clients',
      component: () => import('./ClientsView.vue'),
      titleKey: 'nav.clients',
      icon: IconUsers,
      testId: 'nav-clients',
      section: 'main'
    }
  ],
  pages: [
    // The client page belongs to the Clients menu entry (meta.nav); its tab is in ?tab=.
    {
      path: '/clients/:id(\\d+)',
      name: 'client',
      component: () => import('./ClientPage.vue'),
      meta: { titleKey: 'clientPage.title', nav: 'clients' }
    }
  ]
}
