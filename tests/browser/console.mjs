// The console in a real browser: log in, add a directory source, scan it to completion, override
// a column, export the important-data catalogue. Screenshots go to the artifacts directory.
//
//   node tests/browser/console.mjs BASE_URL USER PASSWORD SOURCE_DIR ARTIFACTS_DIR
//
// Uses Debian's Chromium (/usr/bin/chromium or $CHROMIUM) through playwright-core: no bundled
// browser download. Exits non-zero with a message on the first failed step.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [base, user, password, sourceDir, artifacts] = process.argv.slice(2);
if (!artifacts) {
  console.error("usage: console.mjs BASE_URL USER PASSWORD SOURCE_DIR ARTIFACTS_DIR");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

function check(cond, what) {
  if (!cond) {
    throw new Error(`failed: ${what}`);
  }
  console.log(`ok: ${what}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
let page;
try {
  const context = await browser.newContext({ acceptDownloads: true, locale: "zh-CN" });
  page = await context.newPage();
  const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

  // Login.
  await page.goto(base + "/");
  check(page.url().endsWith("/login"), "an anonymous visitor is sent to the login page");
  await page.fill("#username", user);
  await page.fill("#password", "wrong password");
  await page.click("#login");
  check((await page.content()).includes("Wrong user name or password"), "a wrong password is refused");
  await page.fill("#username", user);
  await page.fill("#password", password);
  await shot("01-login");
  await page.click("#login");
  await page.waitForSelector("#totals");
  check(true, "login lands on the dashboard");
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "anshu_session");
  check(session && session.httpOnly && session.sameSite === "Strict", "the session cookie is HttpOnly and SameSite=Strict");

  // Add a directory source.
  await page.goto(base + "/sources");
  await page.fill("#source-name", "演示目录 demo");
  await page.fill("#source-uri", sourceDir);
  await page.click("#source-add");
  await page.waitForSelector("#sources >> text=演示目录 demo");
  check(true, "a directory source is added");
  await shot("02-sources");

  // Scan it to completion, watching the progress bar.
  await page.click('button.scan[data-source="演示目录 demo"]');
  await page.waitForURL(/\/scans\/\d+$/);
  await page.waitForFunction(() => document.querySelector("#status")?.textContent === "done", null, { timeout: 60000 });
  const width = await page.$eval("#progress", (e) => e.style.width);
  check(width === "100%", `the progress bar reaches 100% (${width})`);
  const found = await page.$eval("#found", (t) => t.textContent);
  check(found.includes("cn_resident_id"), "the scan page lists the types found");
  await shot("03-scan-done");

  // Override a column.
  await page.goto(base + "/inventory?type=cn_resident_id");
  await page.click("#columns a");
  await page.waitForSelector("#review");
  const example = await page.$eval("#findings td.example", (e) => e.textContent);
  check(example.includes("*"), `the column page shows a masked example (${example})`);
  await page.fill("#override-types", "");
  await page.fill("#override-reason", "浏览器测试：测试数据 browser test data");
  await shot("04-column-before");
  await page.click("#override-submit");
  await page.waitForSelector("#detail");
  const types = await page.$eval("#types", (e) => e.textContent);
  check(types.trim() === "", `the override cleared the types (now "${types}")`);
  check((await page.content()).includes("浏览器测试"), "the review reason is shown");
  await shot("05-column-overridden");

  // Export the important-data catalogue.
  await page.goto(base + "/exports");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-important-xlsx")]);
  const file = join(artifacts, "important.xlsx");
  await download.saveAs(file);
  const bytes = readFileSync(file);
  check(bytes.length > 1000 && bytes[0] === 0x50 && bytes[1] === 0x4b, `the catalogue downloads as XLSX (${bytes.length} bytes)`);
  await shot("06-exports");

  // Logout ends the session.
  await page.goto(base + "/");
  await page.click("#logout");
  await page.waitForURL(/\/login$/);
  await page.goto(base + "/inventory");
  check(page.url().endsWith("/login"), "after logout the inventory needs a login again");
} catch (e) {
  console.error(e.message || e);
  if (page) {
    await page.screenshot({ path: join(artifacts, "failure.png"), fullPage: true }).catch(() => {});
  }
  await browser.close();
  process.exit(1);
}
await browser.close();
console.log("browser tests passed");
