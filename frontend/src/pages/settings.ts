import type { Page } from '../router';

export const settingsPage: Page = ({ root }) => {
  root.append('TODO');
};
