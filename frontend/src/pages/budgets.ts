import type { Page } from '../router';

export const budgetsPage: Page = ({ root }) => {
  root.append('TODO');
};
