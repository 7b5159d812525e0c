// Around the signed-in shell: the team (divisions, who sees what) and the live notifications of
// transfers, assignments and SLA breaches, on every screen.
import type { ReactNode } from 'react';
import { TeamProvider } from './TeamContext';
import { TeamNotifications } from './TeamNotifications';

export function TeamworkProvider({ children }: { children: ReactNode }) {
  return (
    <TeamProvider>
      <TeamNotifications />
      {children}
    </TeamProvider>
  );
}
