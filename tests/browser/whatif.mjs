// Moves the report's what-if controls in headless Chromium and prints what the page shows,
// as JSON, for tests/report_whatif.rs to compare with `prospect rank`.
//   node whatif.mjs REPORT.html '[{"price_steps": 10, "rate_steps": 20, "weights": {"value": "0.6"}}, ...]'
// Each step's price_steps and rate_steps are presses of the arrow keys on the sliders
// (negative: left), its weights are typed into the weight inputs; the page is read before
// the first step and after each.
import { chromium } from "playwright-core";

const [file, actionsText] = process.argv.slice(2);
const steps = JSON.parse(actionsText || "[]");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
const problems = [];
page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`); });
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
// Nothing but the file itself may load.
const fetched = [];
await page.route("**/*", (route) => {
  const url = route.request().url();
  if (url.startsWith("file:")) return route.continue();
  fetched.push(url);
  return route.abort();
});
await page.goto("file://" + file, { waitUntil: "load" });

const read = () => page.evaluate(() => {
  const rows = [...document.querySelectorAll("#ranking tbody tr")].map((tr) => {
    const td = [...tr.children].map((c) => c.textContent.trim());
    return { id: tr.dataset.id, rank: Number(td[0]), score: Number(tr.dataset.score), risked: tr.dataset.risked === "" ? null : Number(tr.dataset.risked), pareto: td[11] === "yes" };
  });
  const line = (id, what) => {
    const el = document.querySelector(`#${id} [data-wi="${what}"]`);
    return el ? el.getAttribute("points") : null;
  };
  return {
    rows,
    status: document.getElementById("wi-status").textContent,
    mode: document.body.dataset.whatif || null,
    price: document.getElementById("wi-price").value,
    rate: document.getElementById("wi-rate").value,
    supply_ndpr_base: line("supply-ndpr", "base"),
    supply_ndpr_mined: line("supply-ndpr", "mined"),
  };
});

const states = [await read()];
const press = async (selector, presses) => {
  if (!presses) return;
  await page.focus(selector);
  const key = presses > 0 ? "ArrowRight" : "ArrowLeft";
  for (let i = 0; i < Math.abs(presses); i++) await page.keyboard.press(key);
};
for (const step of steps) {
  await press("#wi-price", step.price_steps);
  await press("#wi-rate", step.rate_steps);
  for (const [name, value] of Object.entries(step.weights || {})) {
    await page.fill(`#wi-w-${name}`, String(value));
  }
  states.push(await read());
}
await browser.close();
process.stdout.write(JSON.stringify({ states, problems, fetched }));
