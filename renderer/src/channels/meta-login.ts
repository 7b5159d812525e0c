// The Meta login flows the browser runs: WhatsApp Embedded Signup through Facebook's JavaScript SDK
// (a popup that creates or picks the business account and number, then hands back a code and the
// WABA and phone number ids), and the Facebook / Instagram Login dialogs that return to
// /channels/oauth with a code.
import type { OAuthConfig, SignupConfig } from './api';

interface FacebookSdk {
  init(options: Record<string, unknown>): void;
  login(callback: (response: { authResponse?: { code?: string } | null }) => void, options: Record<string, unknown>): void;
}

declare global {
  interface Window {
    FB?: FacebookSdk;
    fbAsyncInit?: () => void;
  }
}

const SDK_URL = 'https://connect.facebook.net/en_US/sdk.js';

/** Loads the SDK once (a page that already has window.FB, e.g. a test's, keeps it). */
function loadSdk(appId: string, version: string): Promise<FacebookSdk> {
  if (window.FB) {
    window.FB.init({ appId, autoLogAppEvents: true, xfbml: false, version });
    return Promise.resolve(window.FB);
  }
  return new Promise((resolve, reject) => {
    window.fbAsyncInit = () => {
      window.FB!.init({ appId, autoLogAppEvents: true, xfbml: false, version });
      resolve(window.FB!);
    };
    const script = document.createElement('script');
    script.src = SDK_URL;
    script.async = true;
    script.crossOrigin = 'anonymous';
    script.onerror = () => reject(new Error('sdk'));
    document.body.appendChild(script);
  });
}

export interface SignupResult {
  code: string;
  wabaId: string;
  phoneNumberId: string;
}

/** Facebook's session messages come from facebook.com (a test's stand-in posts from this page). */
function fromFacebook(origin: string): boolean {
  if (origin === window.location.origin) return true;
  try {
    return /(^|\.)facebook\.com$/.test(new URL(origin).hostname);
  } catch {
    return false;
  }
}

/** Runs Embedded Signup; rejects with 'cancelled' when the person closes it before the end. */
export async function runEmbeddedSignup(config: SignupConfig): Promise<SignupResult> {
  const sdk = await loadSdk(config.appId ?? '', config.graphVersion);
  return new Promise((resolve, reject) => {
    let session: { wabaId: string; phoneNumberId: string } | null = null;
    let code: string | null = null;
    let settled = false;
    const finish = () => {
      if (settled || !session || !code) return;
      settled = true;
      window.removeEventListener('message', onMessage);
      resolve({ code, ...session });
    };
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      window.removeEventListener('message', onMessage);
      reject(new Error(reason));
    };
    function onMessage(event: MessageEvent) {
      if (!fromFacebook(event.origin) || typeof event.data !== 'string') return;
      let data: { type?: string; event?: string; data?: { waba_id?: string; phone_number_id?: string } };
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (data.type !== 'WA_EMBEDDED_SIGNUP') return;
      if (data.event === 'CANCEL') return fail('cancelled');
      if (data.data?.waba_id && data.data.phone_number_id) {
        session = { wabaId: data.data.waba_id, phoneNumberId: data.data.phone_number_id };
        finish();
      }
    }
    window.addEventListener('message', onMessage);
    sdk.login(
      (response) => {
        code = response.authResponse?.code ?? null;
        if (!code) return fail('cancelled');
        finish();
        // The session message may come just after the login callback.
        setTimeout(() => (session ? undefined : fail('incomplete')), 5000);
      },
      {
        config_id: config.configId,
        response_type: 'code',
        override_default_response_type: true,
        extras: { setup: {}, featureType: '', sessionInfoVersion: '3' },
      },
    );
  });
}

/** Where Meta's login dialogs send the person back: this app's /channels/oauth page. */
export const oauthReturnPath = '/channels/oauth';

/** The login dialog's URL; `state` says which channel the code is for when it comes back. */
export function loginDialogUrl(channel: 'messenger' | 'instagram', config: OAuthConfig): string | null {
  if (!config.available || !config.appId || !config.redirectUri) return null;
  const params = new URLSearchParams({
    client_id: config.appId,
    redirect_uri: config.redirectUri,
    response_type: 'code',
    scope: config.scopes.join(','),
    state: channel,
  });
  return channel === 'messenger'
    ? `https://www.facebook.com/${config.graphVersion}/dialog/oauth?${params}`
    : `https://www.instagram.com/oauth/authorize?${params}`;
}
