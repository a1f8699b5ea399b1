/**
 * Routes: each feature's routes.ts (features/<domain>/routes.ts) lists its sidebar entries and
 * its other pages; they are concatenated here in menu order. A new screen adds its routes.ts
 * and one line to FEATURES.
 */
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import type { FeatureRoutes, NavRoute } from './shell/nav'
import { clientsRoutes } from './features/clients/routes'
import { statsRoutes } from './features/stats/routes'
import { settingsRoutes } from './features/settings/routes'

/** The features in the order of the menu. */
const FEATURES: readonly FeatureRoutes[] = [clientsRoutes, statsRoutes, settingsRoutes]

export const NAV_ROUTES: NavRoute[] = FEATURES.flatMap((f) => f.nav)

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/clients' },
  ...NAV_ROUTES.map(
    (r): RouteRecordRaw => ({
      path: r.path,
      name: r.name,
      component: r.component,
      meta: { titleKey: r.titleKey }
    })
  ),
  ...FEATURES.flatMap((f) => f.pages ?? []),
  { path: '/:pathMatch(.*)*', redirect: '/clients' }
]

export const router = createRouter({
  history: createWebHashHistory(),
  routes
})
