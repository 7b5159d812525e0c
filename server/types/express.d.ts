// Fields the appliance adds to Express requests.
declare global {
  namespace Express {
    interface Request {
      /** The exact request body bytes, for webhook signature checks. */
      rawBody?: Buffer;
    }
  }
}
export {};
