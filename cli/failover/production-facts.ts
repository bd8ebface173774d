import { Aws } from '../shared/aws';
import type { ClientsOfRegion } from '../shared/aws/clients';
import type { IoHost } from '../shared/io/io-host';
import type { ProductionDeployment } from '../shared/production';
import { readStandbyFacts, type StandbyFacts } from '../shared/standby-facts';

/** Production as the failover knows it: from its facts in the standby region (issue 91 item 1), never its state. */
export type FailoverProduction = ProductionDeployment & { readonly url: string; readonly facts: StandbyFacts };

/**
 * Production's facts read in the standby region `region` (cli/shared/standby-facts.ts), or the exit code of their
 * refusal, said (exit 2: nothing changed). `productionDir` is only named in the report: its state is not read.
 */
export async function failoverProduction(
  options: { readonly stack: string; readonly productionDir: string; readonly clients?: ClientsOfRegion; readonly io: IoHost },
  region: string,
  productionName: string,
): Promise<FailoverProduction | number> {
  const aws = new Aws(region, options.clients?.(region));
  const facts = await readStandbyFacts(
    aws,
    { name: productionName, stack: options.stack, productionDir: options.productionDir },
    { prefix: 'FAILOVER', lead: 'failover' },
  );
  if ('refused' in facts) {
    options.io.error(facts.why, `${facts.refused} Nothing was changed.`);
    return facts.code;
  }
  return { ...facts.production, facts };
}
