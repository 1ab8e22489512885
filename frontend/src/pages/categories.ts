import type { Page } from '../router';

export const categoriesPage: Page = ({ root }) => {
  root.append('TODO');
};
