// Every permission a route may check, with what it allows. Custom roles pick from this list.
export const PERMISSIONS = {
  'agents.view': 'See the team: agents, their roles and status',
  'agents.manage': 'Create, edit and remove agents',
  'roles.view': 'See roles and their permissions',
  'roles.manage': 'Create, edit and delete custom roles',
  'api_keys.manage': 'Create and revoke your own API keys',
  'activity_logs.view': 'Read the activity log',
  'conversations.view': 'See conversations and their messages',
  'conversations.manage': 'Assign, transfer, tag and change the status of conversations',
  'messages.send': 'Reply to customers',
  'contacts.view': 'See contacts',
  'contacts.manage': 'Create, edit and merge contacts',
  'integrations.manage': 'Connect channels and manage their accounts',
  'divisions.manage': 'Manage divisions',
  'quick_replies.manage': 'Manage shared quick replies',
  'settings.manage': 'Manage working hours, SLA, CSAT and expiration settings',
  'templates.manage': 'Manage WhatsApp message templates',
  'campaigns.manage': 'Create and send broadcast campaigns',
  'automation.manage': 'Manage automation rules and outgoing webhooks',
  'ai_agents.manage': 'Manage AI agents and their knowledge',
  'analytics.view': 'See analytics and reports',
  'billing.manage': 'Manage the subscription and invoices',
} as const;

export type Permission = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}

/** Built-in roles every tenant starts with; they cannot be deleted. */
export const BUILT_IN_ROLES: { name: string; description: string; permissions: Permission[] }[] = [
  { name: 'owner', description: 'Full control of the organization', permissions: ALL_PERMISSIONS },
  {
    name: 'admin',
    description: 'Manages the team, channels and settings',
    permissions: ALL_PERMISSIONS.filter((p) => p !== 'billing.manage'),
  },
  {
    name: 'supervisor',
    description: 'Leads agents and oversees conversations',
    permissions: [
      'agents.view',
      'roles.view',
      'api_keys.manage',
      'activity_logs.view',
      'conversations.view',
      'conversations.manage',
      'messages.send',
      'contacts.view',
      'contacts.manage',
      'quick_replies.manage',
      'analytics.view',
    ],
  },
  {
    name: 'agent',
    description: 'Answers customers in the inbox',
    permissions: ['agents.view', 'api_keys.manage', 'conversations.view', 'messages.send', 'contacts.view', 'contacts.manage'],
  },
];
