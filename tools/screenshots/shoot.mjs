// Usage: node shoot.mjs BASE_URL OUT_DIR < pages.json   ([{name, query}] with query as a URL query string)
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const [base, out] = process.argv.slice(2);
const pages = JSON.parse(readFileSync(0, "utf8"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
for (const { name, query } of pages) {
  await page.goto(`${base}/?${query}`);
  await page.waitForSelector("[data-testid='stAppViewContainer']", { timeout: 60000 });
  await page.waitForTimeout(1500);
  await page.waitForFunction(() => !document.querySelector("[data-testid='stStatusWidget']"), null,
                             { timeout: 120000 }).catch(() => {});
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: false });
  console.log(`${out}/${name}.png`);
}
await browser.close();
