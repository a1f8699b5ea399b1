/**
 * Routes. Every screen in the sidebar is one entry of NAV_ROUTES: path, view, menu label key,
 * icon and the data-testid of its menu link. Later screens (Statistics, API reports, Message
 * history, SIM activity, Dispatches, Reports) are added here, one entry each.
 */
import type { Component } from 'vue'
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { IconChart, IconSettings, IconUsers } from './components/icons'

export interface NavRoute {
  path: string
  name: string
  component: () => Promise<Component>
  /** i18n key of the menu label and the page title. */
  titleKey: string
  icon: Component
  testId: string
  /** Menu section: 'main' on top, 'footer' pinned to the bottom of the sidebar. */
  section: 'main' | 'footer'
}

export const NAV_ROUTES: NavRoute[] = [
  {
    path: '/clients',
    name: 'clients',
    component: () => import('./views/ClientsView.vue'),
    titleKey: 'nav.clients',
    icon: IconUsers,
    testId: 'nav-clients',
    section: 'main'
  },
  {
    path: '/statistics',
    name: 'statistics',
    component: () => import('./views/StatisticsView.vue'),
    titleKey: 'nav.statistics',
    icon: IconChart,
    testId: 'nav-statistics',
    section: 'main'
  },
  {
    path: '/settings',
    name: 'settings',
    component: () => import('./views/SettingsView.vue'),
    titleKey: 'nav.settings',
    icon: IconSettings,
    testId: 'nav-settings',
    section: 'footer'
  }
]

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
  // The client page belongs to the Clients menu entry (meta.nav); its tab is in ?tab=.
  {
    path: '/clients/:id(\\d+)',
    name: 'client',
    component: () => import('./views/ClientPage.vue'),
    meta: { titleKey: 'clientPage.title', nav: 'clients' }
  },
  { path: '/:pathMatch(.*)*', redirect: '/clients' }
]

export const router = createRouter({
  history: createWebHashHistory(),
  routes
})
