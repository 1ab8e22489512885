import type { Page } from '../router';

export const rulesPage: Page = ({ root }) => {
  root.append('TODO');
};
