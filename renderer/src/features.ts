// Every feature of the web UI, each a folder with a manifest (see app/feature.ts). The order is the
// order of the main navigation and of the Settings sections. A new feature is its folder and one
// line here.
import type { Feature } from './app/feature';
import { appliance } from './appliance/feature';
import { auth } from './auth/feature';
import { contacts } from './contacts/feature';
import { inbox } from './inbox/feature';
import { profile } from './profile/feature';
import { search } from './search/feature';
import { teamwork } from './teamwork/feature';
import { analytics } from './analytics/feature';
import { automation } from './automation/feature';
import { operator } from './operator/feature';
import { campaigns } from './campaigns/feature';
import { channels } from './channels/feature';
import { team } from './team/feature';
import { security } from './security/feature';
import { billing } from './billing/feature';
import { aiAgents } from './ai-agents/feature';

export const FEATURES: readonly Feature[] = [
  auth,
  inbox,
  contacts,
  search,
  analytics,
  automation,
  campaigns,
  profile,
  channels,
  team,
  teamwork,
  appliance,
  operator,
  security,
  billing,
  aiAgents,
];
