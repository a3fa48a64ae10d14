"""The Jinja2 template of `report.html`.

Kept in a module rather than a data file so that it ships with the package
however it is installed.
"""

REPORT_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ d.title }}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
         max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.45; }
  h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
  table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.88rem; }
  th, td { border: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: right; vertical-align: top; }
  th { background: #f4f6f8; } td.name, th.name { text-align: left; }
  tr.reference td { background: #eef5fb; font-weight: 600; }
  .ci { color: #666; font-size: 0.8em; white-space: nowrap; }
  .better { color: #1a7f37; } .worse { color: #b42318; }
  .note { background: #fff8e6; border-left: 4px solid #e0a800; padding: 0.5rem 0.8rem; }
  img { max-width: 100%; }
  dt { font-weight: 600; } dd { margin: 0 0 0.5rem 1.2rem; }
  code { background: #f4f4f4; padding: 0 0.2rem; }
</style>
</head>
<body>
<h1>{{ d.title }}</h1>
<p>Created {{ d.created }} by ipsmatch {{ d.ipsmatch_version }} with the encoder
<code>{{ d.encoder }}</code>. Files: candidates <code>{{ d.inputs.candidates }}</code>,
openings <code>{{ d.inputs.openings }}</code>, placements <code>{{ d.inputs.placements }}</code>
{%- if d.inputs.get("groups") %}, groups <code>{{ d.inputs.groups }}</code>{% endif %}.</p>

<h2>In short</h2>
{% set ref = d.systems[0] %}
<p>The question: when a consultant asked for suggestions on a given day, would each system
have put the openings the person went on to contact, be interviewed for and be hired into
near the top? History before <strong>{{ d.settings.cutoff }}</strong>
({{ d.settings.cutoff_rule }}) was available for learning; the
<strong>{{ d.data.queries.evaluated }}</strong> moments from then on, for
<strong>{{ d.data.queries.candidates }}</strong> people, were replayed.</p>
<p>{{ ref.label }}: NDCG@10 {{ ref.metrics["ndcg@10"].mean|num }}
(95% interval {{ ref.metrics["ndcg@10"].low|num }}–{{ ref.metrics["ndcg@10"].high|num }}),
Hit@10 {{ ref.metrics["hit_rate@10"].mean|pct }}: in that share of moments, at least one
of its first ten suggestions was an opening the person went on to act on.
{% if best_baseline %}{% for s in d.systems if s.name == best_baseline %}
The strongest baseline, {{ s.label }}, reached NDCG@10 {{ s.metrics["ndcg@10"].mean|num }}
(difference {{ "%+.3f"|format(-s.comparison["ndcg@10"].difference) }} in favour of ipsmatch
when positive, p {{ s.comparison["ndcg@10"].p_value|pvalue }}).
{% endfor %}{% endif %}</p>
{% for note in d.notes %}<p class="note">{{ note }}</p>{% endfor %}

<h2>Summary: ipsmatch against every baseline</h2>
<p>Each cell is the mean over the evaluated moments, with its 95% bootstrap interval below.
Higher is better for every column.</p>
<table id="summary">
<tr><th class="name">system</th>{% for m in d.metrics %}<th>{{ m.label }}</th>{% endfor %}</tr>
{% for s in d.systems %}
<tr class="{{ 'reference' if s.name == d.reference else '' }}">
<td class="name">{{ s.label }}</td>
{% for m in d.metrics %}{% set v = s.metrics[m.key] %}
<td>{{ v.mean|num }}<br><span class="ci">[{{ v.low|num }}, {{ v.high|num }}]</span></td>
{% endfor %}
</tr>
{% endfor %}
</table>
<p>Paired comparison with {{ ref.label }}: the mean difference (other system minus
ipsmatch; negative means ipsmatch did better) and the p-value of a two-sided paired
randomization test ({{ d.settings.test.permutations }} sign flips, by person). A star marks
differences that stay below 0.05 after the Holm adjustment for testing
{{ d.systems|length - 1 }} systems at once.</p>
<table id="comparisons">
<tr><th class="name">system vs ipsmatch</th>
{% for m in d.metrics %}<th>{{ m.label }}</th>{% endfor %}</tr>
{% for s in d.systems if s.comparison %}
<tr><td class="name">{{ s.label }}</td>
{% for m in d.metrics %}{% set c = s.comparison[m.key] %}
<td class="{{ 'worse' if c.difference < 0 else 'better' }}">{{ "%+.3f"|format(c.difference) }}
<br><span class="ci">p {{ c.p_value|pvalue }}{{ " *" if c.p_holm < 0.05 else "" }}</span></td>
{% endfor %}</tr>
{% endfor %}
</table>
<img alt="Summary metrics with intervals" src="{{ figures.summary }}">

<h2>Metrics by number of suggestions looked at</h2>
<p>How each measure grows as a consultant reads further down the list (k = 1 to
{{ d.curve_ks[-1] }}).</p>
<img alt="Metric-by-k curves" src="{{ figures.curves }}">

<h2>Fidelity to IPS</h2>
<p>Over the top {{ d.ips_k }} suggestions of every evaluated moment. Stated preferences are
checked the same way for every system (avoided things by their words, hours, working
times, commute distance, job or education).</p>
<table id="ips">
<tr><th class="name">system</th><th>breaks no stated preference</th>
<th>disclosure respected</th><th>distinct employers in top {{ d.ips_k }}</th>
<th>catalogue coverage</th><th>hires at a suggested employer</th>
<th>wish coverage</th></tr>
{% for s in d.systems %}
<tr class="{{ 'reference' if s.name == d.reference else '' }}"><td class="name">{{ s.label }}</td>
<td>{{ s.ips.no_broken_preference|pct }}</td>
<td>{{ s.ips.disclosure_respected|pct }}</td>
<td>{{ s.ips.distinct_employers|num(1) }}</td>
<td>{{ s.ips.catalogue_coverage|pct }}</td>
<td>{{ s.ips.hires_at_suggested_employers|pct }}</td>
<td>{{ s.ips.wish_coverage|pct }}</td></tr>
{% endfor %}
</table>
<dl>
<dt>breaks no stated preference</dt><dd>share of suggestions that break none of the person's
own limits (what to avoid, hours, working times, commute, job or education). ipsmatch shows
such openings only after all others.</dd>
<dt>disclosure respected</dt><dd>share of suggestions whose contact route matches the
person's choice: the consultant contacts the employer only when the person agreed to
disclose. It must be 100%. Only systems that propose a contact route can be measured
(n/a otherwise).</dd>
<dt>distinct employers</dt><dd>how many different employers the top {{ d.ips_k }} spans.</dd>
<dt>catalogue coverage</dt><dd>share of all openings open on some evaluated day that were
suggested to anyone at least once.</dd>
<dt>hires at a suggested employer</dt><dd>of the {{ ref.ips.hires_considered }} hires in the
evaluated period (with or without a posted opening), the share at an employer that was
among the employers of the person's top {{ d.ips_k }} at their last moment before the
hire. IPS job development works through employers, not only postings.</dd>
<dt>wish coverage</dt><dd>for the {{ ref.ips.wish_coverage_queries }} moments whose profile
states two or more different wishes, the mean share of those wishes with at least one
matching opening in the top {{ d.ips_k }}. An opening matches a wish when both belong to the
same occupation family of the simulator's texts, so it is measured on simulated history
only (n/a otherwise).</dd>
</dl>
<img alt="IPS measures" src="{{ figures.ips }}">

<h2>Fairness across groups</h2>
{% if d.fairness %}
<p>Hit@10 and NDCG@10 per group with 95% intervals. Group labels were read for this section
only; no system saw them. The gap is the highest group mean minus the lowest, among groups
with at least 30 moments, with its own interval.</p>
{% for column, per_system in d.fairness.items() %}
<h3>By {{ column }}</h3>
<table class="fairness">
<tr><th class="name">group</th><th>people</th><th>moments</th>
{% for name in shown %}{% for m in d.fairness_metrics %}
<th>{{ m.label }}<br>{{ (d.systems|selectattr("name", "equalto", name)|first).label }}</th>
{% endfor %}{% endfor %}</tr>
{% for group, g in per_system[shown[0]].groups.items() %}
<tr><td class="name">{{ group }}</td><td>{{ g.candidates }}</td><td>{{ g.queries }}</td>
{% for name in shown %}{% for m in d.fairness_metrics %}
{% set v = per_system[name].groups[group][m.key] %}
<td>{{ v.mean|num }}<br><span class="ci">[{{ v.low|num }}, {{ v.high|num }}]</span></td>
{% endfor %}{% endfor %}</tr>
{% endfor %}
</table>
<table class="gaps">
<tr><th class="name">largest gap</th>
{% for m in d.fairness_metrics %}<th>{{ m.label }}</th>{% endfor %}</tr>
{% for s in d.systems %}{% set gap = per_system[s.name].gap %}
<tr><td class="name">{{ s.label }}</td>
{% for m in d.fairness_metrics %}
<td>{% if gap[m.key] is defined %}{{ gap[m.key].value|num }}
<br><span class="ci">[{{ gap[m.key].low|num }}, {{ gap[m.key].high|num }}]
{{ gap[m.key].highest }} − {{ gap[m.key].lowest }}</span>{% else %}–{% endif %}</td>
{% endfor %}</tr>
{% endfor %}
</table>
<img alt="Results by {{ column }}" src="{{ figures.fairness[column] }}">
{% endfor %}
{% else %}
<p>No group labels were given (<code>--groups</code>), so no per-group results.</p>
{% endif %}

{% if ips_section %}{{ ips_section|safe }}{% endif %}

<h2>Weights</h2>
<table id="weights">
<tr><th class="name">weights</th><th>preference</th><th>competency</th></tr>
<tr><td class="name">default</td><td>{{ d.weights.default.preference }}</td>
<td>{{ d.weights.default.competency }}</td></tr>
{% if d.weights.fitted is defined %}
<tr><td class="name">fitted ({{ d.weights.source }})</td><td>{{ d.weights.fitted.preference }}</td>
<td>{{ d.weights.fitted.competency }}</td></tr>
{% endif %}
</table>
<p>Only the two top-level weights are fitted, on history before the cutoff, and always
with preference above competency (IPS: what the person wants comes first).</p>

<h2>The data</h2>
{% set data = d.data %}
<table id="data">
<tr><th class="name">what</th><th>count</th></tr>
{% for label, value in data_rows %}
<tr><td class="name">{{ label }}</td><td>{{ value }}</td></tr>
{% endfor %}
</table>
<p>Events from {{ data.first_event }} to {{ data.last_event }} (facts known up to
{{ data.observed_until }}){% if data.openings_posted %}; openings posted from
{{ data.openings_posted[0] }} to {{ data.openings_posted[1] }}{% endif %}.
Grades of the evaluated openings:
{% for g, n in data.queries.grades.items() %}
{{ g }}: {{ n }}{{ ", " if not loop.last else "." }}
{% endfor %}</p>
<img alt="Events by month and stage" src="{{ figures.data }}">

<h2>How this was measured</h2>
<dl>
<dt>Moments (queries)</dt><dd>Each day on which a person's history first mentions an opening
is a moment a consultant would have asked for suggestions. The systems rank the openings
open that day (posted on or before it, not yet expired), using the profile as it was that
day; openings the person already dealt with are left out.</dd>
<dt>Grades</dt><dd>What the person did with an opening from that day on: hired and still
employed 90 days later 3, hired 2, interview 1, contacted 0.5, nothing 0.</dd>
<dt>NDCG@k</dt><dd>how close the top k comes to the best possible order of the graded
openings (1 = best possible). Gain: {{ d.settings.gain }}.</dd>
<dt>Recall@k</dt><dd>share of the openings the person acted on (any grade above 0) that
are in the top k.</dd>
<dt>MRR</dt><dd>1 / rank of the first opening the person acted on (within
{{ d.settings.depth }}).</dd>
<dt>Hit@k</dt><dd>share of moments with at least one such opening in the top k.</dd>
<dt>Intervals and tests</dt><dd>95% percentile bootstrap ({{ d.settings.bootstrap.resamples }}
resamples) and paired randomization tests, both resampling <em>people</em>: one person's
moments are alike and are not independent evidence.</dd>
<dt>Split</dt><dd>By time at the cutoff, never at random: popularity counts and fitted weights
use only events before it.</dd>
</dl>

<h2>The systems</h2>
<table id="systems">
<tr><th class="name">system</th><th class="name">what it does</th><th>seconds</th></tr>
{% for s in d.systems %}
<tr><td class="name">{{ s.label }}</td><td class="name">{{ s.description }}</td>
<td>{{ s.seconds }}</td></tr>
{% endfor %}
</table>
<p>Run time: {% for name, seconds in d.timing.items() %}
{{ name }} {{ seconds }} s{{ ", " if not loop.last else "." }}
{% endfor %}</p>
</body>
</html>
"""
