// The SSRF guard as tests use it: the fakes of the outside world listen on loopback, so loopback is
// allowed (as startServer's OUTBOUND_ALLOWED_HOSTS does); tests of the guard itself make their own.
import { OutboundGuard } from '../../server/core/net/outbound.js';

export const testOutbound = new OutboundGuard({ allowedHosts: ['127.0.0.1', 'localhost', '::1'], allowPrivate: false });
