import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { HttpProblem } from '@cabc/http-kit';

/** Where a headless Chromium is looked for (Debian's `chromium` package first). */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Renders HTML to PDF with a headless Chromium (playwright-core, no browser download): the PDF is the same page as the
 * HTML report, charts included. One browser is started on first use and kept; at most two pages render at a time.
 */
export function createPdfRenderer(options: { executablePath?: string | undefined } = {}) {
  let browser: Promise<Browser> | undefined;
  let active = 0;
  const waiting: (() => void)[] = [];
  const executable = () => options.executablePath ?? CHROMIUM_CANDIDATES.find((candidate) => existsSync(candidate));

  async function launch(): Promise<Browser> {
    const executablePath = executable();
    if (!executablePath) {
      throw new HttpProblem(
        503,
        'pdf-unavailable',
        'PDF rendering unavailable',
        `no Chromium found (looked at ${CHROMIUM_CANDIDATES.join(', ')}); the HTML report is available with format=html`,
      );
    }
    const { chromium } = await import('playwright-core');
    const launched = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    launched.on('disconnected', () => {
      browser = undefined;
    });
    return launched;
  }

  async function slot<T>(work: () => Promise<T>): Promise<T> {
    if (active >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await work();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  }

  return {
    available: () => executable() !== undefined,
    async render(html: string, footer: string): Promise<Buffer> {
      return slot(async () => {
        browser ??= launch().catch((error) => {
          browser = undefined;
          throw error;
        });
        const context = await (await browser).newContext({ javaScriptEnabled: false, offline: true });
        try {
          const page = await context.newPage();
          await page.setContent(html, { waitUntil: 'load' });
          return await page.pdf({
            format: 'A4',
            printBackground: true,
            margin: { top: '16mm', bottom: '16mm', left: '14mm', right: '14mm' },
            displayHeaderFooter: true,
            headerTemplate: '<span></span>',
            footerTemplate: `<div style="font-size:8px;color:#57606a;width:100%;padding:0 14mm;display:flex;justify-content:space-between"><span>${footer.replace(/[<>&]/g, '')}</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
          });
        } finally {
          await context.close();
        }
      });
    },
    async close() {
      const running = browser;
      browser = undefined;
      if (running) await (await running.catch(() => undefined))?.close();
    },
  };
}

export type PdfRenderer = ReturnType<typeof createPdfRenderer>;
