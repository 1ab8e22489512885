import type { Route } from './router';

// Pages load on first visit, so signing in does not wait for the chart library.
export const routes: Route[] = [
  { path: '/', title: 'Dashboard', page: () => import('./pages/dashboard').then((m) => m.dashboardPage) },
  { path: '/transactions', title: 'Transactions', page: () => import('./pages/transactions').then((m) => m.transactionsPage) },
  { path: '/import', title: 'Import', page: () => import('./pages/imports').then((m) => m.importPage) },
  { path: '/insights', title: 'Insights', page: () => import('./pages/insights').then((m) => m.insightsPage) },
  { path: '/budgets', title: 'Budgets', page: () => import('./pages/budgets').then((m) => m.budgetsPage) },
  { path: '/goals', title: 'Goals', page: () => import('./pages/goals').then((m) => m.goalsPage) },
  { path: '/debts', title: 'Debts', page: () => import('./pages/debts').then((m) => m.debtsPage) },
  { path: '/reports', title: 'Reports', page: () => import('./pages/reports').then((m) => m.reportsPage) },
  { path: '/badges', title: 'Badges', page: () => import('./pages/badges').then((m) => m.badgesPage) },
  { path: '/accounts', title: 'Accounts', page: () => import('./pages/accounts').then((m) => m.accountsPage) },
  { path: '/categories', title: 'Categories', page: () => import('./pages/categories').then((m) => m.categoriesPage) },
  { path: '/rules', title: 'Rules', page: () => import('./pages/rules').then((m) => m.rulesPage) },
  { path: '/settings', title: 'Settings', page: () => import('./pages/settings').then((m) => m.settingsPage) },
  { path: '/login', title: 'Sign in', public: true, page: () => import('./pages/auth').then((m) => m.signInPage) },
  { path: '/register', title: 'Create account', public: true, page: () => import('./pages/auth').then((m) => m.registerPage) },
];
