// Starting points for a new scenario.
export interface Template {
  id: string;
  title: string;
  description: string;
  /** The text of a new file with this id; `root` leads from the file's folder to the workspace root. */
  yaml: (id: string, root: string) => string;
}

export const TEMPLATES: Template[] = [
  {
    id: 'korea-trigger',
    title: 'Korea: a new trigger on the actor library',
    description:
      'Extends lib/korea-actors.yaml (seven actors, channels, four interventions) with one inject.',
    yaml: (id, root) => `# What this scenario shows, and its sources.
version: 1
id: ${id}
title: A DPRK short-range test during a standoff
description: >
  Describe the incident and the question the runs should answer.
extends: ${root}lib/korea-actors.yaml
injects:
  trigger:
    name: DPRK short-range missile test
    atHours: 0
    action: DPRK.srbm-test
`,
  },
  {
    id: 'two-actors',
    title: 'Blank: two actors and a hotline',
    description: 'A self-contained toy: a bomber flight that Red may misread as a strike package.',
    yaml: (id) => `# A two-actor toy: a bomber flight that Red may misread as a strike package.
version: 1
id: ${id}
title: Bomber flight misread
time: { tickHours: 1, horizonDays: 10 }
actors:
  Blue:
    name: Blue
    actions:
      bomber-flight: { rung: display, domain: air, intent: { defensive: 1, coercive: 2, attack-preparing: 3 } }
      strike-package: { rung: war, domain: air, intent: { defensive: 0.01, coercive: 0.1, attack-preparing: 1 } }
      reassure: { rung: routine, domain: political, message: { to: Red, kind: reassure, via: [hotline] } }
    doctrine:
      reassure-on-alert:
        on: Red.alert
        respond: { reassure: 0.9, wait: 0.1 }
      retaliate:
        on: [Red.strike]
        respond: { strike-package: 1 }
  Red:
    name: Red
    perception:
      isr: { air: { detect: 0.6, latencyHours: 1 } }
      misread: { Blue.bomber-flight: { Blue.strike-package: 0.2 } }
      falseAlarms: { Blue.strike-package: 0.01 }
    beliefs:
      intent: { Blue: { defensive: 0.5, coercive: 0.4, attack-preparing: 0.1 } }
      bias: { forgettingPerDay: 0.2 }
    decision:
      rationality: 0.05
      preemption: { against: [Blue], survivability: 0.2, firstStrikeLoss: 400 }
    actions:
      alert: { rung: alert, domain: ground, readiness: 3 }
      strike: { rung: war, domain: missile, preemptive: true }
      protest: { rung: coercion, domain: political }
    doctrine:
      on-strike-warning:
        on: Blue.strike-package
        choose: [wait, protest, alert, strike]
      on-flight:
        on: Blue.bomber-flight
        respond: { wait: 0.5, protest: 0.5 }
channels:
  hotline: { between: [Blue, Red], kind: hotline, latencyHours: 1, credibility: 3, acceptance: 0.8 }
injects:
  flight: { atHours: 2, action: Blue.bomber-flight }
interventions:
  no-hotline:
    title: No hotline
    set: { channels.hotline.exists: false }
`,
  },
];
