import { AnnotationMetadataEntryType, TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';

/**
 * The warnings constructs attached with `Annotations.of(...).addWarning`,
 * as `<stack>: <message>`, once each. The cdktf CLI prints them from the
 * manifest; an app run directly (`npm run synth`) prints these on stderr.
 */
export function constructWarnings(scope: IConstruct): string[] {
  const warnings = scope.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === AnnotationMetadataEntryType.WARN)
        .map((entry) => `${stackOf(construct)}${String(entry.data)}`),
    );
  return [...new Set(warnings)];
}

function stackOf(construct: IConstruct): string {
  try {
    return `${TerraformStack.of(construct).node.id}: `;
  } catch {
    return '';
  }
}
