import type { Page } from '../router';

export const transactionsPage: Page = ({ root }) => {
  root.append('TODO');
};
