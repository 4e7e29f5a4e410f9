import { describe, expect, it } from 'vitest';
import { buildOscalBundle, CATALOG_FILE, SCOPE_CATALOG_FILE } from '../src/index.ts';
import { builtInCatalogInput, realisticBundleInput } from './fixtures/bundle-input.ts';
import { rootOf } from './bundle-helpers.ts';

const idsOf = (controls: any[]): string[] =>
  controls.flatMap((control) => [control.id, ...idsOf(control.controls ?? [])]);

describe('the built-in requirement catalog and the scope catalog', () => {
  const bundle = buildOscalBundle(realisticBundleInput());
  const catalog = rootOf(bundle, CATALOG_FILE);
  const group = (id: string) => catalog.groups.find((entry: any) => entry.id === id);

  it('has every template as a control with its parameters, default rule and the frameworks it maps to', () => {
    const templates = builtInCatalogInput().templates;
    expect(group('templates').controls.map((control: any) => control.props[0].value)).toEqual(
      templates.map((t) => t.id),
    );
    const minMetric = group('templates').controls[0];
    expect(minMetric.params.map((param: any) => [param.label, param.values])).toEqual([
      ['metric', ['accuracy']],
      ['minimum', ['0.9']],
    ]);
    expect(minMetric.parts.find((part: any) => part.name === 'assessment-method').prose).toContain(
      'accuracy of the newest performance evidence >= 0.9',
    );
    expect(minMetric.links.map((link: any) => link.href)).toEqual([
      '#eu-ai-act_art.15.1',
      '#eu-ai-act_art.15.3',
      '#iso-25059_functional-correctness',
      '#aic4_pf',
    ]);
  });

  it('has EU AI Act articles 9–15 with cited paragraphs, ISO/IEC 25059 characteristics, AIC4 areas', () => {
    expect(group('eu-ai-act').controls.map((control: any) => control.id)).toEqual(
      ['9', '10', '11', '12', '13', '14', '15'].map((article) => `eu-ai-act_art.${article}`),
    );
    const article15 = group('eu-ai-act').controls.at(-1);
    expect(article15.title).toBe('Article 15: Accuracy, robustness and cybersecurity');
    expect(article15.controls.map((control: any) => control.id)).toEqual([
      'eu-ai-act_art.15.1',
      'eu-ai-act_art.15.3',
      'eu-ai-act_art.15.4',
      'eu-ai-act_art.15.5',
    ]);
    expect(idsOf(group('iso-25059').controls)).toContain('iso-25059_societal-and-ethical-risk-mitigation');
    expect(idsOf(group('aic4').controls).sort()).toEqual([
      'aic4_bi',
      'aic4_dm',
      'aic4_dq',
      'aic4_ex',
      'aic4_pf',
      'aic4_re',
      'aic4_sr',
    ]);
    // Every link of a template names a control of the catalog.
    const ids = new Set(catalog.groups.flatMap((entry: any) => idsOf(entry.controls)));
    for (const control of group('templates').controls) {
      for (const link of control.links) expect(ids.has(link.href.slice(1)), link.href).toBe(true);
    }
  });

  it('makes each approved requirement a control linked to its template and the framework controls it cites', () => {
    const scope = rootOf(bundle, SCOPE_CATALOG_FILE);
    const accuracy = scope.controls[0];
    expect(accuracy.id).toBe('req-REQ-ACCURACY');
    expect(accuracy.parts.map((part: any) => part.id)).toEqual([
      'req-REQ-ACCURACY_smt',
      'req-REQ-ACCURACY_obj',
      'req-REQ-ACCURACY_gdn',
      'req-REQ-ACCURACY_asm',
    ]);
    expect(accuracy.links.map((link: any) => [link.rel, link.href])).toEqual([
      ['template', 'catalog.json#tpl-perf-min-metric'],
      ['related', 'catalog.json#eu-ai-act_art.15.1'],
      ['related', 'catalog.json#eu-ai-act_art.15.3'],
      ['related', 'catalog.json#iso-25059_functional-correctness'],
      ['related', 'catalog.json#aic4_pf'],
    ]);
    // A reference outside the three frameworks is kept as a property, not as a link that would resolve nowhere.
    const handWritten = scope.controls.at(-1);
    expect(handWritten.links.map((link: any) => link.href)).toEqual(['catalog.json#eu-ai-act_art.15']);
    expect(handWritten.props).toContainEqual({
      name: 'control-reference',
      ns: 'https://cabc.dev/ns/oscal',
      value: 'NIST-AI-RMF:MEASURE-2.5',
    });
  });
});
