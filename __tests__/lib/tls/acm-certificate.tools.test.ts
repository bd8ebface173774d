import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { only } from '../../helpers/synth';
import { describeWithTerraform, evaluate, expressionOf, unparsableTemplates } from '../../helpers/terraform';
import { synth, hostnameCheck } from './acm-certificate.setup';

const CERTS = resolve(__dirname, '../../fixtures/certs');
const pem = (name: string) => readFileSync(resolve(CERTS, `${name}.pem`), 'utf8');

describe('LoadBalancerCertificate', () => {
  describeWithTerraform('expressions, evaluated by Terraform', () => {
    const { json } = synth('import');
    const [local, localText] = Object.entries(json.locals ?? {})[0];
    const [, certificate] = only(json, 'aws_acm_certificate');
    /** An attribute's expression with the local inlined, so it evaluates on its own. */
    const inline = (text: string) =>
      expressionOf(text)
        .split(`local.${local}`)
        .join(`(${expressionOf(localText)})`);
    const leaf = pem('rancher.example.com').trim();
    const intermediate = pem('wildcard.example.com').trim();
    const root = pem('other.example.org').trim();

    it.each(['import', 'sign', 'issue'] as const)('every template of source %s parses as HCL', (source) => {
      expect(unparsableTemplates(synth(source).json)).toEqual([]);
      expect(unparsableTemplates(synth(source, 'rancher.example.com').json)).toEqual([]);
    });

    it('splits a two-certificate bundle into leaf and chain', () => {
      const bundle = `${pem('rancher.example.com')}${pem('wildcard.example.com')}`;
      expect(evaluate(expressionOf(localText), { tls_certificate_pem: bundle })).toEqual([leaf, intermediate]);
      expect(evaluate(inline(certificate.certificate_body), { tls_certificate_pem: bundle })).toBe(leaf);
      expect(evaluate(inline(certificate.certificate_chain), { tls_certificate_pem: bundle })).toBe(intermediate);
    });

    it('joins several intermediates into the chain, in order', () => {
      const bundle = [leaf, intermediate, root].join('\n');
      expect(evaluate(inline(certificate.certificate_chain), { tls_certificate_pem: bundle })).toBe(`${intermediate}\n${root}`);
    });

    it('leaves the chain null for a single certificate', () => {
      expect(evaluate(inline(certificate.certificate_body), { tls_certificate_pem: pem('rancher.example.com') })).toBe(leaf);
      expect(evaluate(inline(certificate.certificate_chain), { tls_certificate_pem: pem('rancher.example.com') })).toBeNull();
    });

    it('ignores text around the blocks (a private key pasted along, Windows line ends)', () => {
      const bundle = `subject=CN = rancher\r\n${pem('rancher.example.com')}\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`;
      expect(evaluate(inline(certificate.certificate_body), { tls_certificate_pem: bundle })).toBe(leaf);
      expect(evaluate(inline(certificate.certificate_chain), { tls_certificate_pem: bundle })).toBeNull();
    });

    describe('the hostname postcondition', () => {
      const { condition } = hostnameCheck(json);
      /** The condition with `self` replaced by an imported certificate's names. */
      const accepts = (hostname: string, domainName: string, alternativeNames: string[]) =>
        evaluate(
          expressionOf(condition)
            .split('self.domain_name')
            .join(JSON.stringify(domainName))
            .split('self.subject_alternative_names')
            .join(JSON.stringify(alternativeNames)),
          { rancher_hostname: hostname },
        );

      it.each([
        ['rancher.example.com', 'rancher.example.com', [], true],
        ['rancher.example.com', 'other.example.org', ['rancher.example.com'], true],
        ['rancher.example.com', '*.example.com', [], true],
        ['rancher.example.com', 'example.com', ['*.example.com'], true],
        ['a.b.example.com', '*.example.com', [], false],
        ['example.com', '*.example.com', [], false],
        ['rancher.example.com', 'other.example.org', [], false],
        ['rancher.example.com', 'other.example.org', ['*.example.org', 'www.example.com'], false],
        ['rancher.example.com', 'rancher.example.com.evil.org', [], false],
        ['rancher.example.com', '*.rancher.example.com', [], false],
      ] as const)('hostname %s, certificate %s %j → %s', (hostname, domainName, alternativeNames, expected) => {
        expect(accepts(hostname, domainName, [...alternativeNames])).toBe(expected);
      });

      it('behaves the same with a literal hostname', () => {
        const literal = hostnameCheck(synth('import', 'rancher.example.com').json).condition;
        // evaluate() with no variable writes `"variable": {}`, which Terraform refuses: pass an unused one.
        const check = (domainName: string) =>
          evaluate(
            expressionOf(literal).split('self.domain_name').join(JSON.stringify(domainName)).split('self.subject_alternative_names').join('[]'),
            { unused: '' },
          );
        expect(check('rancher.example.com')).toBe(true);
        expect(check('*.example.com')).toBe(true);
        expect(check('other.example.org')).toBe(false);
      });
    });
  });
});
