/**
 * The HTML report's style sheet (inlined in the page), and the text escape the report and
 * sweep pages share.
 *
 * @module
 */

/** CSS of the page. */
export const PAGE_STYLE = `
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1f2328; background: #f6f8fa; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 24px; padding: 12px 20px;
  background: #fff; border-bottom: 1px solid #d0d7de; position: sticky; top: 0; z-index: 5; }
h1 { font-size: 18px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 6px; }
h2 .sub { font-size: 12px; font-weight: normal; color: #57606a; }
#meta { color: #57606a; font-size: 13px; }
select { font: inherit; padding: 2px 4px; }
main { padding: 12px 20px 40px; max-width: 1600px; margin: 0 auto; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 12px;
  margin-bottom: 12px; min-width: 0; }
.note { color: #57606a; font-size: 13px; margin: 0 0 6px; }
.legend { color: #57606a; font-size: 12px; margin: 6px 0 0; }
.key { font-weight: bold; margin-left: 10px; }
.key.long { color: #1565c0; } .key.short { color: #ef6c00; }
.key.win { color: #2e7d32; } .key.loss { color: #c62828; }
.key.stop { color: #c62828; } .key.target { color: #2e7d32; }
.chart { position: relative; width: 100%; height: 300px; }
.chart.tall { height: 440px; }
.chart.small { height: 240px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 12px; }
.grid section { margin-bottom: 0; }
.grid + section { margin-top: 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; background: none; border: none; padding: 0; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px;
  min-width: 130px; }
.card .k { color: #57606a; font-size: 12px; }
.card .v { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
.pos { color: #1a7f37; } .neg { color: #cf222e; }
.metrics-wrap { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
#metrics th { text-align: left; font-weight: 500; color: #57606a; padding: 2px 16px 2px 0;
  white-space: nowrap; vertical-align: top; }
#metrics td { padding: 2px 0; }
.day-wrap { max-height: 560px; overflow: auto; }
#day-table thead th { position: sticky; top: 0; background: #fff; }
#day-table th, #day-table td { padding: 2px 8px; text-align: right; }
#day-table th:first-child, #day-table td:first-child { text-align: left; }
.table-wrap { overflow: auto; max-height: 640px; }
#trades { width: 100%; font-size: 12px; }
#trades th { position: sticky; top: 0; background: #f6f8fa; cursor: pointer; user-select: none;
  white-space: nowrap; padding: 4px; border-bottom: 1px solid #d0d7de; text-align: right; }
#trades td { padding: 2px 4px; border-bottom: 1px solid #eaeef2; white-space: nowrap;
  text-align: right; }
#trades th.t, #trades td.t { text-align: left; }
#trades th[aria-sort="ascending"]::after { content: " \\25B2"; }
#trades th[aria-sort="descending"]::after { content: " \\25BC"; }
pre { font-size: 12px; max-height: 400px; overflow: auto; background: #f6f8fa; padding: 8px; }
.pager label, .pager button, .pager span { margin-left: 12px; }
button { font: inherit; font-size: 12px; padding: 1px 8px; }
footer { color: #57606a; font-size: 12px; }
`;

/** `text` safe as HTML text or a quoted attribute value: `&`, `<`, `>` and `"` as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
