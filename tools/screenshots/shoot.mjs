// Usage: node shoot.mjs BASE_URL OUT_DIR < pages.json
//   pages.json: [{name, query, expect?}] — query is a URL query string; expect is text to wait for.
// Writes OUT_DIR/NAME.png and OUT_DIR/NAME.txt (the rendered page text) for each page.
import { chromium } from "playwright-core";
import { readFileSync, writeFileSync } from "node:fs";

const [base, out] = process.argv.slice(2);
const pages = JSON.parse(readFileSync(0, "utf8"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
for (const { name, query, expect } of pages) {
  await page.goto(`${base}/?${query || ""}`);
  await page.waitForSelector("[data-testid='stAppViewContainer']", { timeout: 120000 });
  if (expect) {
    await page.waitForFunction((text) => document.body.innerText.includes(text), expect, { timeout: 180000 })
      .catch(() => console.error(`${name}: "${expect}" did not appear`));
  }
  await page.waitForTimeout(1500);
  await page.waitForFunction(() => !document.querySelector("[data-testid='stStatusWidget']"), null,
                             { timeout: 120000 }).catch(() => {});
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: false });
  writeFileSync(`${out}/${name}.txt`, await page.evaluate(() => document.body.innerText));
  console.log(`${out}/${name}.png`);
}
await browser.close();
