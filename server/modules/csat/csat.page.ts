// The public rating page a survey link opens: /csat/<token>, in Bahasa Indonesia or English.
// Plain HTML with a form (works without JavaScript: it posts here) and a small script, served as a
// file because the CSP allows no inline script, that sends the rating to PATCH /api/v1/csat/{token}.
import escapeHtml from 'escape-html';
import express, { Router, type Request, type Response } from 'express';
import type { Services } from '../../core/context.js';
import { HttpError } from '../../core/http/errors.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { CsatSurveyEntity, type CsatLanguage, type CsatSurvey } from './csat.entity.js';
import { CSAT_TEXTS, type CsatTexts } from './csat.texts.js';
import { effectiveStatus, submitRating } from './csat.service.js';

const TOKEN = /^[A-Za-z0-9_-]{16,100}$/;

const SCRIPT = `// Sends the rating with fetch (PATCH /api/v1/csat/{token}) and shows the answer in place.
(function () {
  var form = document.getElementById('csat-form');
  if (!form) return;
  var status = document.getElementById('csat-status');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var picked = form.querySelector('input[name="score"]:checked');
    if (!picked) { status.textContent = form.dataset.choose; return; }
    var button = form.querySelector('button');
    button.disabled = true;
    fetch('/api/v1/csat/' + encodeURIComponent(form.dataset.token), {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ score: Number(picked.value), comment: form.comment.value || null })
    }).then(function (res) {
      if (res.ok) return form.dataset.thanks;
      if (res.status === 409) return form.dataset.answered;
      if (res.status === 410) return form.dataset.expired;
      throw new Error(String(res.status));
    }).then(function (message) {
      form.hidden = true;
      status.textContent = message;
    }).catch(function () {
      button.disabled = false;
      status.textContent = form.dataset.failed;
    });
  });
})();
`;

function pickLanguage(req: Request, fallback: CsatLanguage): CsatLanguage {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : undefined;
  if (asked === 'id' || asked === 'en') return asked;
  const accepted = req.acceptsLanguages('id', 'en');
  return accepted === 'id' || accepted === 'en' ? accepted : fallback;
}

function page(lang: CsatLanguage, t: CsatTexts, title: string, inner: string): string {
  const other: CsatLanguage = lang === 'id' ? 'en' : 'id';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f4f6f8; color: #1f2933; margin: 0; }
  main { max-width: 28rem; margin: 2rem auto; background: #fff; border-radius: 12px; padding: 1.5rem; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
  h1 { font-size: 1.25rem; margin: 0 0 1rem; }
  .scores { display: flex; gap: .5rem; border: 0; padding: 0; margin: 0 0 1rem; }
  .scores label { flex: 1; text-align: center; border: 1px solid #cbd2d9; border-radius: 8px; padding: .6rem 0; cursor: pointer; }
  .scores label span { display: block; font-size: .7rem; color: #52606d; }
  .scores input { position: absolute; opacity: 0; }
  .scores input:checked + label, .scores label:hover { border-color: #2563eb; background: #eff6ff; }
  .scores input:focus-visible + label { outline: 2px solid #2563eb; }
  textarea { width: 100%; box-sizing: border-box; min-height: 5rem; border: 1px solid #cbd2d9; border-radius: 8px; padding: .5rem; font: inherit; }
  button { margin-top: 1rem; width: 100%; padding: .75rem; border: 0; border-radius: 8px; background: #2563eb; color: #fff; font: inherit; cursor: pointer; }
  button:disabled { opacity: .6; }
  #csat-status { margin-top: 1rem; font-weight: 600; }
  .lang { text-align: right; font-size: .85rem; margin: 0 0 .5rem; }
</style>
</head>
<body>
<main>
<p class="lang"><a href="?lang=${other}">${escapeHtml(t.otherLanguage)}</a></p>
${inner}
</main>
<script src="/csat/rating.js"></script>
</body>
</html>
`;
}

function form(survey: CsatSurvey, t: CsatTexts, lang: CsatLanguage, orgName: string): string {
  const scores = [1, 2, 3, 4, 5]
    .map(
      (n) =>
        `<input type="radio" name="score" id="score-${n}" value="${n}" required><label for="score-${n}">${n}<span>${escapeHtml(t.labels[n - 1])}</span></label>`,
    )
    .join('\n');
  const data = {
    token: survey.token,
    thanks: t.thanks,
    answered: t.alreadyAnswered,
    expired: t.expired,
    failed: t.failed,
    choose: t.chooseScore,
  };
  const attrs = Object.entries(data)
    .map(([k, v]) => `data-${k}="${escapeHtml(v)}"`)
    .join(' ');
  return `<h1>${escapeHtml(t.pageQuestion(orgName))}</h1>
<form id="csat-form" method="post" action="/csat/${escapeHtml(survey.token)}?lang=${lang}" ${attrs}>
<fieldset class="scores"><legend hidden>${escapeHtml(t.yourScore)}</legend>
${scores}
</fieldset>
<label for="comment">${escapeHtml(t.comment)}</label>
<textarea id="comment" name="comment" maxlength="1000"></textarea>
<button type="submit">${escapeHtml(t.submit)}</button>
</form>
<p id="csat-status" role="status" aria-live="polite"></p>`;
}

async function load(services: Services, token: string): Promise<{ survey: CsatSurvey; orgName: string } | null> {
  if (!TOKEN.test(token)) return null;
  const survey = await services.db.getRepository(CsatSurveyEntity).findOne({ where: { token } });
  if (!survey) return null;
  const tenant = await services.db.getRepository(TenantEntity).findOne({ where: { id: survey.tenantId } });
  return { survey, orgName: tenant?.name ?? '' };
}

function send(res: Response, status: number, html: string): void {
  res.status(status).type('html').setHeader('Cache-Control', 'no-store').send(html);
}

/** Mounted before the web UI's fallback: GET /csat/rating.js, GET and POST /csat/:token. */
export function csatPages(services: Services): Router {
  const router = Router();
  router.get('/csat/rating.js', (_req, res) => {
    res.type('application/javascript').setHeader('Cache-Control', 'public, max-age=3600');
    res.send(SCRIPT);
  });

  router.get('/csat/:token', async (req, res) => {
    const found = await load(services, req.params.token);
    const lang = pickLanguage(req, found?.survey.language ?? 'id');
    const t = CSAT_TEXTS[lang];
    if (!found) return send(res, 404, page(lang, t, t.pageTitle, `<h1>${escapeHtml(t.notFound)}</h1>`));
    const { survey, orgName } = found;
    const status = effectiveStatus(survey, services.now());
    if (status === 'answered')
      return send(
        res,
        200,
        page(
          lang,
          t,
          t.pageTitle,
          `<h1>${escapeHtml(t.alreadyAnswered)}</h1><p>${escapeHtml(t.yourScore)}: ${'⭐'.repeat(survey.score ?? 0)} ${survey.score}</p>`,
        ),
      );
    if (status === 'expired') return send(res, 410, page(lang, t, t.pageTitle, `<h1>${escapeHtml(t.expired)}</h1>`));
    if (status === 'failed') return send(res, 404, page(lang, t, t.pageTitle, `<h1>${escapeHtml(t.notFound)}</h1>`));
    send(res, 200, page(lang, t, t.pageTitle, form(survey, t, lang, orgName)));
  });

  // Without JavaScript the form posts here.
  router.post('/csat/:token', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const found = await load(services, req.params.token);
    const lang = pickLanguage(req, found?.survey.language ?? 'id');
    const t = CSAT_TEXTS[lang];
    if (!found) return send(res, 404, page(lang, t, t.pageTitle, `<h1>${escapeHtml(t.notFound)}</h1>`));
    const score = Number((req.body as Record<string, unknown> | undefined)?.score);
    const comment = String((req.body as Record<string, unknown> | undefined)?.comment ?? '').slice(0, 1000);
    if (!Number.isInteger(score) || score < 1 || score > 5) {
      return send(
        res,
        400,
        page(lang, t, t.pageTitle, `<p id="csat-status">${escapeHtml(t.chooseScore)}</p>${form(found.survey, t, lang, found.orgName)}`),
      );
    }
    try {
      await submitRating(services, found.survey.token, { score, comment });
      send(res, 200, page(lang, t, t.pageTitle, `<h1>${escapeHtml(t.thanks)}</h1>`));
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      const message = err.status === 409 ? t.alreadyAnswered : err.status === 410 ? t.expired : t.failed;
      send(res, err.status, page(lang, t, t.pageTitle, `<h1>${escapeHtml(message)}</h1>`));
    }
  });
  return router;
}
