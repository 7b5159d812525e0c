// Whether this window is the appliance's operator (the desktop app on the office PC, or a
// super-admin): only then is "This computer" shown. The server decides (GET /api/v1/appliance/operator
// answers 200 for the operator, 401/403 for everyone else); asked once per page load.
import { useEffect, useState } from 'react';
import { callApi } from '../api';

let asked: Promise<boolean> | undefined;

export function isApplianceOperator(): Promise<boolean> {
  asked ??= callApi('get', '/api/v1/appliance/operator').then(
    () => true,
    () => false,
  );
  return asked;
}

/** null while asking, then whether this window may manage the appliance. */
export function useApplianceOperator(): boolean | null {
  const [operator, setOperator] = useState<boolean | null>(null);
  useEffect(() => {
    let live = true;
    void isApplianceOperator().then((v) => {
      if (live) setOperator(v);
    });
    return () => {
      live = false;
    };
  }, []);
  return operator;
}
