import { noProxyEntry, proxyUrl } from '../../../lib/config/proxy-schema';

describe('proxy settings', () => {
  it('the URL and NO_PROXY checks are the exported schemas', () => {
    expect(proxyUrl.safeParse('http://proxy.internal:3128').success).toBe(true);
    expect(proxyUrl.safeParse('http://u:p@proxy').success).toBe(false);
    expect(noProxyEntry.safeParse('.example.com').success).toBe(true);
    expect(noProxyEntry.safeParse('a,b').success).toBe(false);
  });
});
