import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import * as TcSms from 'tencentcloud-sdk-nodejs-sms';
import { endpointOf, protocolOf, str, type MergedConfig } from './channel-config.js';

type SmsClient = InstanceType<typeof TcSms.sms.v20210111.Client>;

/**
 * Clients of the official Tencent Cloud SDKs, which sign every request (TC3-HMAC-SHA256). The
 * signature's credential scope is the service, which the SDK takes from the endpoint's first
 * label (`sms.…`, `vms.…`), so a private route to the API (an egress proxy, or a local fake in
 * tests) goes through `proxy`, keeping the real host name.
 */
function clientConfig(config: MergedConfig, channel: 'tencent_sms' | 'tencent_voice', timeoutS: number) {
  const proxy = str(config.proxy);
  return {
    credential: { secretId: str(config.secretId), secretKey: str(config.secrets.secretKey) },
    region: str(config.region, 'ap-guangzhou'),
    profile: {
      httpProfile: {
        endpoint: endpointOf(channel, config), protocol: `${protocolOf(config)}://`, reqTimeout: timeoutS,
        ...(proxy ? { proxy } : {}),
      },
    },
  };
}

export function tencentSmsClient(config: MergedConfig, timeoutS = 10): SmsClient {
  return new TcSms.sms.v20210111.Client(clientConfig(config, 'tencent_sms', timeoutS));
}

/** Voice messages (VMS, API 2020-09-02): no separate npm SDK is published, so the SDK's CommonClient. */
export function tencentVmsClient(config: MergedConfig, timeoutS = 10): CommonClient {
  return new CommonClient(endpointOf('tencent_voice', config), '2020-09-02', clientConfig(config, 'tencent_voice', timeoutS));
}
