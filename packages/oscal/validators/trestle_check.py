"""Validates a CABC OSCAL bundle with IBM's compliance-trestle (docs/oscal.md).

Usage: python trestle_check.py BUNDLE.zip

1. Every document of the zip loads as its trestle OSCAL model (pydantic models generated from NIST's schemas).
2. Every document imports into a fresh trestle workspace (`trestle init`, `trestle import`, which runs trestle's
   validators: duplicate UUIDs, role references, back-matter links, catalog parameters), and `trestle validate -a`
   accepts the workspace. A warning from trestle counts as a failure.
3. Every reference resolves inside the bundle, read through the trestle models: import-ap, import-ssp,
   import-profile and profile imports name a document of the bundle of the right model; the profiles resolve with
   trestle's ProfileResolver; control, statement and objective ids exist in the resolved catalogs; UUID references
   (subjects, components, actors, observations, risks, findings, activities, tasks, SSP statements) resolve.

Prints a JSON report and exits 1 when anything fails.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

from trestle.core.profile_resolver import ProfileResolver
from trestle.oscal.assessment_plan import AssessmentPlan
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog
from trestle.oscal.poam import PlanOfActionAndMilestones
from trestle.oscal.profile import Profile
from trestle.oscal.ssp import SystemSecurityPlan

MODELS = {
    'catalog': Catalog,
    'profile': Profile,
    'system-security-plan': SystemSecurityPlan,
    'assessment-plan': AssessmentPlan,
    'assessment-results': AssessmentResults,
    'plan-of-action-and-milestones': PlanOfActionAndMilestones,
}


def controls_of(catalog):
    """Every control of a catalog (groups and nested controls included)."""
    found = []

    def visit(controls):
        for control in controls or []:
            found.append(control)
            visit(control.controls)

    def visit_groups(groups):
        for group in groups or []:
            visit(group.controls)
            visit_groups(group.groups)

    visit(catalog.controls)
    visit_groups(catalog.groups)
    return found


def part_ids(control):
    ids = set()

    def visit(parts):
        for part in parts or []:
            if part.id:
                ids.add(part.id)
            visit(part.parts)

    visit(control.parts)
    return ids


def selected_control_ids(selections):
    ids = []
    for selection in selections or []:
        for control in selection.include_controls or []:
            ids.append(control.control_id)
    return ids


def hrefs_to_resources(node, path, found):
    """Every `#fragment` href in the model, with where it is (the back-matter must hold those resources)."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            hrefs_to_resources(item, f'{path}[{index}]', found)
    elif hasattr(node, '__fields__'):
        for name in node.__fields__:
            value = getattr(node, name, None)
            if name == 'href' and isinstance(value, str) and value.startswith('#'):
                found.append((path, value[1:]))
            elif value is not None and not isinstance(value, (str, int, float, bool)):
                hrefs_to_resources(value, f'{path}.{name}', found)
    return found


# trestle's links validator recognises only version-4 UUIDs in `#uuid` links (const.UUID_REGEX) and so reports every
# back-matter resource of our version-5 UUIDs (valid OSCAL: the UUID datatype allows 4 and 5) as unreferenced. That
# one warning is tolerated; the checker below verifies those links itself, both ways.
V4_ONLY_LINKS = re.compile(r'links_validator:\d+ WARNING: Resources have (\d+) uuids and \1 are not referenced by model\.')


def complaints(output):
    lines = [line for line in output.splitlines() if 'WARNING' in line or 'ERROR' in line]
    return [line for line in lines if not V4_ONLY_LINKS.search(line)]


def run(command, cwd):
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    output = (done.stdout + done.stderr).strip()
    return done.returncode, output


def main(bundle_path):
    problems = []
    report = {'documents': [], 'trestle': [], 'problems': problems}
    work = pathlib.Path(tempfile.mkdtemp(prefix='cabc-trestle-'))
    try:
        return check(bundle_path, work, problems, report)
    finally:
        os.chdir(tempfile.gettempdir())
        shutil.rmtree(work, ignore_errors=True)


def check(bundle_path, work, problems, report):
    bundle = work / 'bundle'
    with zipfile.ZipFile(bundle_path) as archive:
        broken = archive.testzip()
        if broken is not None:
            problems.append(f'zip: CRC mismatch in {broken}')
        archive.extractall(bundle)

    documents = {}
    for path in sorted(bundle.glob('*.json')):
        if path.name == 'manifest.json':
            continue
        root = next(iter(json.loads(path.read_text(encoding='utf-8'))))
        model = MODELS.get(root)
        if model is None:
            problems.append(f'{path.name}: {root} is no OSCAL model trestle knows')
            continue
        try:
            documents[path.name] = (root, model.oscal_read(path))
            report['documents'].append({'file': path.name, 'model': root, 'loaded': True})
        except Exception as error:  # a pydantic ValidationError names the field
            problems.append(f'{path.name}: trestle cannot load it as {root}: {error}')

    # trestle's own workspace: import runs every validator on each document; validate -a checks them all again.
    workspace = work / 'workspace'
    workspace.mkdir()
    trestle = str(pathlib.Path(sys.executable).with_name('trestle'))
    code, output = run([trestle, 'init'], workspace)
    report['trestle'].append({'command': 'trestle init', 'exit': code})
    if code != 0:
        problems.append(f'trestle init failed: {output}')
    for name in sorted(documents):
        # From the bundle's folder, so that trestle resolves the relative imports (SSP → profile → catalog) there.
        command = [trestle, 'import', '-tr', str(workspace), '-f', str(bundle / name), '-o', pathlib.Path(name).stem]
        code, output = run(command, bundle)
        report['trestle'].append({'command': f'trestle import -f {name}', 'exit': code, 'output': output})
        if code != 0 or complaints(output):
            problems.append(f'trestle import {name}: exit {code}: {output}')
    code, output = run([trestle, 'validate', '-tr', str(workspace), '-a'], bundle)
    report['trestle'].append({'command': 'trestle validate -a', 'exit': code, 'output': output})
    if code != 0 or complaints(output):
        problems.append(f'trestle validate -a: exit {code}: {output}')

    def target(name, href, model):
        entry = documents.get(href)
        if entry is None:
            problems.append(f'{name}: {href} is not in the bundle')
            return None
        if entry[0] != model:
            problems.append(f'{name}: {href} is a {entry[0]}, not a {model}')
            return None
        return entry[1]

    by_model = {}
    for name, (root, document) in documents.items():
        by_model.setdefault(root, []).append((name, document))

    # Profiles: their imports are in the bundle, and trestle resolves them into catalogs (relative hrefs: from here).
    resolved = {}
    os.chdir(bundle)
    for name, profile in by_model.get('profile', []):
        for entry in profile.imports:
            if entry.href not in documents or documents[entry.href][0] not in ('catalog', 'profile'):
                problems.append(f'{name}: imports {entry.href}, which is no catalog or profile of the bundle')
        try:
            catalog = ProfileResolver.get_resolved_profile_catalog(workspace, str(bundle / name))
            resolved[name] = {control.id: control for control in controls_of(catalog)}
        except Exception as error:
            problems.append(f'{name}: trestle cannot resolve the profile: {error}')

    for name, ssp in by_model.get('system-security-plan', []):
        if target(name, ssp.import_profile.href, 'profile') is None:
            continue
        controls = resolved.get(ssp.import_profile.href, {})
        components = {component.uuid for component in ssp.system_implementation.components}
        for requirement in ssp.control_implementation.implemented_requirements:
            control = controls.get(requirement.control_id)
            if control is None:
                problems.append(f'{name}: implemented requirement {requirement.control_id} is not in the baseline')
                continue
            for statement in requirement.statements or []:
                if statement.statement_id not in part_ids(control):
                    problems.append(f'{name}: statement {statement.statement_id} is no part of {control.id}')
                for by in statement.by_components or []:
                    if by.component_uuid not in components:
                        problems.append(f'{name}: by-component {by.component_uuid} is no component')

    def ssp_chain(name, href):
        ssp = target(name, href, 'system-security-plan')
        if ssp is None:
            return None, {}, set(), set()
        controls = resolved.get(ssp.import_profile.href, {})
        components = {component.uuid for component in ssp.system_implementation.components}
        statements = {
            statement.uuid
            for requirement in ssp.control_implementation.implemented_requirements
            for statement in requirement.statements or []
        }
        return ssp, controls, components, statements

    plans = {}
    for name, ap in by_model.get('assessment-plan', []):
        _, controls, components, _ = ssp_chain(name, ap.import_ssp.href)
        for control_id in selected_control_ids(ap.reviewed_controls.control_selections):
            if control_id not in controls:
                problems.append(f'{name}: reviewed control {control_id} is not in the baseline')
        activities = {activity.uuid for activity in (ap.local_definitions.activities or [])} if ap.local_definitions else set()
        for subject in ap.assessment_subjects or []:
            for chosen in subject.include_subjects or []:
                if chosen.subject_uuid not in components:
                    problems.append(f'{name}: subject {chosen.subject_uuid} is no SSP component')
        for task in ap.tasks or []:
            for associated in task.associated_activities or []:
                if associated.activity_uuid not in activities:
                    problems.append(f'{name}: task {task.uuid} names no activity {associated.activity_uuid}')
        platforms = {platform.uuid for platform in ap.assessment_assets.assessment_platforms} if ap.assessment_assets else set()
        plans[name] = (ap, controls, components, {task.uuid for task in ap.tasks or []}, platforms)

    def check_observations(name, observations, components, actors):
        for observation in observations or []:
            for subject in observation.subjects or []:
                if subject.subject_uuid not in components:
                    problems.append(f'{name}: observation {observation.uuid} is about {subject.subject_uuid}, no component')
            for origin in observation.origins or []:
                for actor in origin.actors:
                    if actor.actor_uuid not in actors:
                        problems.append(f'{name}: observation {observation.uuid} has an unknown actor {actor.actor_uuid}')

    def check_findings(name, findings, observations, risks, controls, statements, tasks):
        objectives = set().union(*[part_ids(control) for control in controls.values()]) if controls else set()
        for finding in findings or []:
            if finding.target.target_id not in objectives:
                problems.append(f'{name}: finding {finding.uuid} targets {finding.target.target_id}, no objective')
            if finding.implementation_statement_uuid and finding.implementation_statement_uuid not in statements:
                problems.append(f'{name}: finding {finding.uuid} names no SSP statement')
            for related in finding.related_observations or []:
                if related.observation_uuid not in observations:
                    problems.append(f'{name}: finding {finding.uuid} names no observation {related.observation_uuid}')
            for related in finding.related_risks or []:
                if related.risk_uuid not in risks:
                    problems.append(f'{name}: finding {finding.uuid} names no risk {related.risk_uuid}')
            for origin in finding.origins or []:
                for task in origin.related_tasks or []:
                    if task.task_uuid not in tasks:
                        problems.append(f'{name}: finding {finding.uuid} names no task {task.task_uuid}')

    for name, ar in by_model.get('assessment-results', []):
        if target(name, ar.import_ap.href, 'assessment-plan') is None:
            continue
        ap, controls, components, tasks, platforms = plans[ar.import_ap.href]
        _, _, _, statements = ssp_chain(ap.import_ssp.href, ap.import_ssp.href)
        parties = {party.uuid for party in ar.metadata.parties or []}
        observations = {o.uuid for result in ar.results for o in result.observations or []}
        risks = {r.uuid for result in ar.results for r in result.risks or []}
        for result in ar.results:
            for control_id in selected_control_ids(result.reviewed_controls.control_selections):
                if control_id not in controls:
                    problems.append(f'{name}: result {result.uuid} reviews {control_id}, not in the baseline')
            local = set()
            if result.local_definitions:
                local = {component.uuid for component in result.local_definitions.components or []}
            check_observations(name, result.observations, components, components | local | parties | platforms)
            check_findings(name, result.findings, observations, risks, controls, statements, tasks)
            for risk in result.risks or []:
                for related in risk.related_observations or []:
                    if related.observation_uuid not in observations:
                        problems.append(f'{name}: risk {risk.uuid} names no observation {related.observation_uuid}')

    for name, poam in by_model.get('plan-of-action-and-milestones', []):
        if poam.import_ssp is None:
            problems.append(f'{name}: no import-ssp')
            continue
        _, controls, components, statements = ssp_chain(name, poam.import_ssp.href)
        local = {component.uuid for component in (poam.local_definitions.components or [])} if poam.local_definitions else set()
        parties = {party.uuid for party in poam.metadata.parties or []}
        observations = {o.uuid for o in poam.observations or []}
        risks = {r.uuid for r in poam.risks or []}
        findings = {f.uuid for f in poam.findings or []}
        check_observations(name, poam.observations, components, components | local | parties)
        check_findings(name, poam.findings, observations, risks, controls, statements, set())
        for item in poam.poam_items:
            for related in item.related_findings or []:
                if related.finding_uuid not in findings:
                    problems.append(f'{name}: item {item.uuid} names no finding {related.finding_uuid}')
            for related in item.related_observations or []:
                if related.observation_uuid not in observations:
                    problems.append(f'{name}: item {item.uuid} names no observation {related.observation_uuid}')
            for related in item.related_risks or []:
                if related.risk_uuid not in risks:
                    problems.append(f'{name}: item {item.uuid} names no risk {related.risk_uuid}')

    for name, (root, document) in documents.items():
        back_matter = getattr(document, 'back_matter', None)
        resources = {resource.uuid for resource in (back_matter.resources or [])} if back_matter else set()
        controls = {control.id for control in controls_of(document)} if root == 'catalog' else set()
        linked = set()
        for path, fragment in hrefs_to_resources(document, root, []):
            linked.add(fragment)
            if fragment not in resources and fragment not in controls:
                problems.append(f'{name}: {path} links #{fragment}, no back-matter resource or control')
        for uuid in sorted(resources - linked):
            problems.append(f'{name}: back-matter resource {uuid} is linked from nowhere')

    report['checked'] = sorted(documents)
    print(json.dumps(report, indent=2))
    return 1 if problems or not documents else 0


if __name__ == '__main__':
    if len(sys.argv) != 2:
        print('usage: trestle_check.py BUNDLE.zip', file=sys.stderr)
        sys.exit(2)
    sys.exit(main(pathlib.Path(sys.argv[1]).resolve()))
