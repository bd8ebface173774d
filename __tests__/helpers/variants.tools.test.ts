import { synthStack } from './synth';
import { buildVariant, STACK_VARIANTS, synthSettings, synthSettingsFolder } from './variants';

/**
 * synthSettingsFolder keeps the JSON cdktf wrote as the text synthSettings
 * returns for the same settings (other test files then reuse it): the two
 * ways to synthesize must give the same text, byte for byte.
 */
describe('synthSettingsFolder and synthSettings', () => {
  const cases = STACK_VARIANTS.filter((v) => v.name.endsWith(' defaults')).map((v) => [v.name, v] as const);

  it.each(cases)("%s: the folder JSON, written as synthStack writes it, is synthStack's text", (_name, variant) => {
    const folder = synthSettingsFolder(variant.stack, variant.settings);
    const direct = synthStack((app) => buildVariant(app, variant)).text;
    expect(JSON.stringify(folder.json, null, 2) === direct).toBe(true);
    expect(synthSettings(variant.stack, variant.settings).text === direct).toBe(true);
  });
});
