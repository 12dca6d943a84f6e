//! The officers' side of the server: login and logout, the dashboard's
//! pages and their CSV exports, the language switch, and the officers page.
//!
//! An officer's session is a cookie (HttpOnly, Secure, SameSite=Strict)
//! whose token the books keep only hashed; every form carries the
//! session's CSRF token (the login form a token of its own, given as a
//! cookie too), and a post without it changes nothing. Wrong passwords
//! make the next try wait. Every change an officer makes, every login and
//! every export is in the audit log. Kiosks' routes do not read any of
//! this: they stay authenticated by their keys.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use dastak_core::domain::time::local_date;
use dastak_core::i18n::{Lang, Localized, t};
use jiff::Timestamp;

use super::{Shared, with_lab};
use crate::dashboard::views::{self, Frame};
use crate::dashboard::{
    self, Anomalies, CollectionFilter, KioskSort, Overview, Period, PlaceFilter, Scope, Window,
};
use crate::officers::{self, Role};
use crate::{LabError, Session};

const SESSION_COOKIE: &str = "dastak_session";
const LOGIN_COOKIE: &str = "dastak_login";
/// A form is a few fields; anything larger is refused unread.
const FORM_LIMIT: usize = 16 * 1024;
/// Lines of CSV sent at a time.
const CSV_CHUNK: usize = 2000;

type Params = HashMap<String, String>;

/// The kiosk's own Devanagari font (Noto Sans Devanagari, OFL), served to
/// officers' browsers: a district office's computer may have no Hindi
/// font, and its pages would show boxes.
const DEVANAGARI_REGULAR: &[u8] =
    include_bytes!("../../../../fonts/NotoSansDevanagari-Regular.ttf");
const DEVANAGARI_BOLD: &[u8] = include_bytes!("../../../../fonts/NotoSansDevanagari-Bold.ttf");

fn font(bytes: &'static [u8]) -> Response {
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("font/ttf"));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=604800"),
    );
    r
}

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/overview") }))
        .route("/login", get(login_page).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/lang", axum::routing::post(set_lang))
        .route("/overview", get(overview))
        .route("/kiosks", get(kiosks))
        .route("/kiosks.csv", get(kiosks_csv))
        .route("/collections", get(collections))
        .route("/collections.csv", get(collections_csv))
        .route("/closes", get(closes))
        .route("/closes.csv", get(closes_csv))
        .route("/daily.csv", get(daily_csv))
        .route("/coverage", get(coverage))
        .route("/coverage.csv", get(coverage_csv))
        .route("/arrears", get(arrears))
        .route("/arrears.csv", get(arrears_csv))
        .route("/operators", get(operators))
        .route("/operators.csv", get(operators_csv))
        .route("/anomalies", get(anomalies))
        .route("/anomalies.csv", get(anomalies_csv))
        .route("/claims", get(claims).post(claim_step))
        .route("/claims.csv", get(claims_csv))
        .route("/fund", get(fund))
        .route("/officers", get(officers_page).post(add_officer))
        .route(
            "/fonts/devanagari-regular.ttf",
            get(|| async { font(DEVANAGARI_REGULAR) }),
        )
        .route(
            "/fonts/devanagari-bold.ttf",
            get(|| async { font(DEVANAGARI_BOLD) }),
        )
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(r: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Pages show personal data: no cache keeps them, no frame shows them.
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut()
        .insert("x-frame-options", HeaderValue::from_static("DENY"));
    r.headers_mut().insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; font-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"),
    );
    r
}

fn problem(l: Lang, status: StatusCode, text: &str) -> Response {
    html(status, views::problem(l, text))
}

fn lang_of(p: &Params) -> Lang {
    p.get("lang")
        .and_then(|s| Lang::parse(s))
        .unwrap_or(Lang::Hi)
}

fn failed(l: Lang, e: &LabError) -> Response {
    // What the officer typed (a month in the address) is hers to mend; the
    // rest is the lab's.
    let code = match e {
        LabError::BadMonth { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    problem(l, code, &e.message().render(l))
}

/// The officer of a request, from its session cookie; without a live
/// session the request is sent to the login page instead.
struct Officer(Session);

impl FromRequestParts<Shared> for Officer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, lab: &Shared) -> Result<Officer, Response> {
        let to_login = || Redirect::to("/login").into_response();
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(to_login)?;
        match books(lab.clone(), Lang::Hi, move |lab| {
            lab.session(&token, Timestamp::now())
        })
        .await?
        {
            Some(s) => Ok(Officer(s)),
            None => Err(to_login()),
        }
    }
}

/// Runs `f` on the books; a failure is a page in `l`.
async fn books<T: Send + 'static>(
    lab: Shared,
    l: Lang,
    f: impl FnOnce(&mut crate::Lab) -> Result<T, LabError> + Send + 'static,
) -> Result<T, Response> {
    with_lab(lab, f).await?.map_err(|e| failed(l, &e))
}

/// What a handler answers: a page, or a refusal that is also a page.
type Answer = Result<Response, Response>;

/// A post's form, its CSRF token checked against the session's.
// The refusal is the response sent as it is, once per request: boxing it
// would buy nothing.
#[allow(clippy::result_large_err)]
fn checked_form(
    s: &Session,
    form: Result<Form<Params>, FormRejection>,
) -> Result<Params, Response> {
    let Ok(Form(p)) = form else {
        return Err(problem(
            s.lang,
            StatusCode::BAD_REQUEST,
            &t(s.lang, "dash.bad_form"),
        ));
    };
    let ok = p
        .get("csrf")
        .is_some_and(|c| officers::same_token(c, &s.csrf));
    if ok {
        Ok(p)
    } else {
        Err(problem(
            s.lang,
            StatusCode::FORBIDDEN,
            &t(s.lang, "dash.csrf"),
        ))
    }
}

fn frame<'a>(s: &'a Session, path: &'a str, as_of: Timestamp) -> Frame<'a> {
    Frame {
        lang: s.lang,
        officer: &s.officer,
        role: s.role,
        csrf: &s.csrf,
        as_of,
        path,
    }
}

/// The login form, with a fresh token of its own (also set as a cookie).
fn login_form(l: Lang, status: StatusCode, error: Option<&str>, name: &str) -> Response {
    let Ok(pre) = officers::new_token() else {
        return problem(l, StatusCode::INTERNAL_SERVER_ERROR, &t(l, "dash.bad_form"));
    };
    let mut r = html(status, views::login(l, &pre, error, name));
    set_cookie(
        &mut r,
        &format!("{LOGIN_COOKIE}={pre}; Path=/login; HttpOnly; Secure; SameSite=Strict"),
    );
    r
}

async fn login_page(Query(p): Query<Params>) -> Response {
    login_form(lang_of(&p), StatusCode::OK, None, "")
}

async fn login(
    State(lab): State<Shared>,
    headers: HeaderMap,
    form: Result<Form<Params>, FormRejection>,
) -> Answer {
    let Ok(Form(p)) = form else {
        return Err(problem(
            Lang::Hi,
            StatusCode::BAD_REQUEST,
            &t(Lang::Hi, "dash.bad_form"),
        ));
    };
    let l = lang_of(&p);
    let csrf_ok = match (cookie(&headers, LOGIN_COOKIE), p.get("csrf")) {
        (Some(c), Some(f)) => officers::same_token(&c, f),
        _ => false,
    };
    if !csrf_ok {
        return Err(problem(l, StatusCode::FORBIDDEN, &t(l, "dash.csrf")));
    }
    let name = p.get("name").cloned().unwrap_or_default();
    let password = p.get("password").cloned().unwrap_or_default();
    let shown = name.clone();
    match with_lab(lab, move |lab| {
        lab.login(&name, &password, Timestamp::now())
    })
    .await?
    {
        Ok((token, _)) => {
            let mut r = Redirect::to("/overview").into_response();
            set_cookie(
                &mut r,
                &format!(
                    "{SESSION_COOKIE}={token}; Path=/; Max-Age={}; HttpOnly; Secure; SameSite=Strict",
                    crate::store::SESSION_SPAN
                ),
            );
            Ok(r)
        }
        // The same form again, the name kept.
        Err(e @ (LabError::BadLogin | LabError::LoginTooSoon { .. })) => {
            let status = match e {
                LabError::BadLogin => StatusCode::UNAUTHORIZED,
                _ => StatusCode::TOO_MANY_REQUESTS,
            };
            Err(login_form(l, status, Some(&e.message().render(l)), &shown))
        }
        Err(e) => Err(failed(l, &e)),
    }
}

async fn logout(
    State(lab): State<Shared>,
    Officer(s): Officer,
    form: Result<Form<Params>, FormRejection>,
) -> Answer {
    checked_form(&s, form)?;
    let l = s.lang;
    books(lab, l, move |lab| lab.logout(&s, Timestamp::now())).await?;
    let mut r = Redirect::to(&format!("/login?lang={}", l.code())).into_response();
    set_cookie(
        &mut r,
        &format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"),
    );
    Ok(r)
}

async fn set_lang(
    State(lab): State<Shared>,
    Officer(s): Officer,
    headers: HeaderMap,
    form: Result<Form<Params>, FormRejection>,
) -> Answer {
    let p = checked_form(&s, form)?;
    let Some(lang) = p.get("lang").and_then(|v| Lang::parse(v)) else {
        return Err(problem(
            s.lang,
            StatusCode::BAD_REQUEST,
            &t(s.lang, "dash.bad_form"),
        ));
    };
    // Back to the page the officer was on: only a path of this site.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| &r[i + 3 + j..]))
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or("/overview")
        .to_string();
    books(lab, s.lang, move |lab| {
        lab.set_officer_lang(&s, lang, Timestamp::now())
    })
    .await?;
    Ok(Redirect::to(&back).into_response())
}

/// A place filter from a page's query.
fn place_filter(p: &Params) -> PlaceFilter {
    PlaceFilter {
        block: p.get("block").cloned().unwrap_or_default(),
        panchayat: p.get("panchayat").cloned().unwrap_or_default(),
    }
}

async fn overview(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    let (o, now) = scoped(lab, &s, |lab, scope, now| {
        // Today's and this month's numbers: this month's rows alone.
        let w = Window::months(now, 1);
        let daily = crate::daily_between(lab, &w.from, &w.to)?;
        let mut o = Overview::compute(&lab.status()?, &daily, scope, now);
        let (enrolments, dues) = (crate::enrolments(lab)?, crate::scheme_dues(lab)?);
        o.expected_month =
            dashboard::expected_this_month(&enrolments, &dues, scope, local_date(now));
        Ok(o)
    })
    .await?;
    Ok(html(
        StatusCode::OK,
        views::overview(&frame(&s, "/overview", now), &o),
    ))
}

/// The kiosks table as the query asks, of the kiosks the officer sees: its
/// rows, the places to choose from, and the time it was read.
async fn kiosk_rows(
    lab: Shared,
    s: &Session,
    p: &Params,
) -> Result<(Vec<dashboard::KioskRow>, views::Choices, Timestamp), Response> {
    let filter = place_filter(p);
    let sort = KioskSort::parse(p.get("sort").map_or("", String::as_str));
    let district = s.district.clone();
    books(lab, s.lang, move |lab| {
        let now = Timestamp::now();
        let status = lab.status()?;
        let places = lab.kiosk_places()?;
        let scope = Scope {
            district: district.as_deref(),
            places: &places,
        };
        let rows = dashboard::kiosk_rows(&status, scope, &filter, sort, now);
        Ok((rows, scope.choices(&filter.block), now))
    })
    .await
}

/// The query of a page's links (its CSV), from the filters it was asked
/// with.
fn query_string(p: &Params, keys: &[&str]) -> String {
    let pairs: Vec<(&str, &str)> = keys
        .iter()
        .filter_map(|k| p.get(*k).map(|v| (*k, v.as_str())))
        .collect();
    // Encoding pairs of strings cannot fail.
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

async fn kiosks(State(lab): State<Shared>, Officer(s): Officer, Query(p): Query<Params>) -> Answer {
    let (rows, choices, now) = kiosk_rows(lab, &s, &p).await?;
    let sort = KioskSort::parse(p.get("sort").map_or("", String::as_str));
    let q = query_string(&p, &["block", "panchayat", "sort"]);
    let page = views::kiosks(
        &frame(&s, "/kiosks", now),
        &rows,
        &choices,
        &place_filter(&p),
        sort,
        &q,
    );
    Ok(html(StatusCode::OK, page))
}

/// A CSV download, sent in chunks as it is written.
fn csv(name: &str, header: String, lines: impl Iterator<Item = String>) -> Response {
    let mut chunk = header;
    let mut chunks = Vec::new();
    for (i, line) in lines.enumerate() {
        chunk.push_str(&line);
        if (i + 1) % CSV_CHUNK == 0 {
            chunks.push(std::mem::take(&mut chunk));
        }
    }
    chunks.push(chunk);
    let stream =
        futures_util::stream::iter(chunks.into_iter().map(Ok::<_, std::convert::Infallible>));
    csv_response(name, Body::from_stream(stream))
}

/// A CSV download of `body`, named `name`.
fn csv_response(name: &str, body: Body) -> Response {
    let mut r = Response::new(body);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// Logs an export of `what` by the session's officer.
async fn audit_export(lab: &Shared, s: &Session, what: String) -> Result<(), Response> {
    let officer = s.officer.clone();
    books(lab.clone(), s.lang, move |lab| {
        lab.audit(&officer, "export", &what, Timestamp::now())
    })
    .await
}

async fn kiosks_csv(
    State(lab): State<Shared>,
    Officer(s): Officer,
    Query(p): Query<Params>,
) -> Answer {
    let q = query_string(&p, &["block", "panchayat", "sort"]);
    audit_export(&lab, &s, format!("kiosks.csv?{q}")).await?;
    let (rows, _, _) = kiosk_rows(lab, &s, &p).await?;
    Ok(csv(
        "kiosks.csv",
        views::kiosks_csv_header(s.lang),
        rows.iter().map(views::kiosk_csv_line),
    ))
}

type CollectionsRead = (
    Vec<dashboard::CollectionRow>,
    views::Choices,
    Vec<String>,
    Window,
    Timestamp,
);

async fn collection_rows(
    lab: Shared,
    s: &Session,
    f: CollectionFilter,
) -> Result<CollectionsRead, Response> {
    let district = s.district.clone();
    books(lab, s.lang, move |lab| {
        let now = Timestamp::now();
        let w = match f.period {
            Period::Day => Window::days(now, dashboard::RECENT_DAYS),
            Period::Month => Window::months(now, dashboard::RECENT_MONTHS),
        };
        let daily = match f.period {
            Period::Day => crate::daily_between(lab, &w.from, &w.to)?,
            Period::Month => {
                let month = |d: &str| d.get(..7).unwrap_or(d).to_string();
                crate::monthly_between(lab, &month(&w.from), &month(&w.to))?
            }
        };
        let places = lab.kiosk_places()?;
        let scope = Scope {
            district: district.as_deref(),
            places: &places,
        };
        // Expected dues from the enrolments (one row a member and scheme,
        // as the arrears page reads them), by the periods they began in.
        let expected = dashboard::expected_by(
            &crate::enrolments(lab)?,
            &crate::scheme_dues(lab)?,
            scope,
            &f,
            &w,
        );
        Ok((
            dashboard::collections(&daily, &expected, scope, &f, &w),
            scope.choices(&f.place.block),
            dashboard::schemes(&daily),
            w,
            now,
        ))
    })
    .await
}

fn collection_filter(p: &Params) -> CollectionFilter {
    CollectionFilter {
        place: place_filter(p),
        scheme: p.get("scheme").cloned().unwrap_or_default(),
        period: Period::parse(p.get("by").map_or("", String::as_str)),
    }
}

async fn collections(
    State(lab): State<Shared>,
    Officer(s): Officer,
    Query(p): Query<Params>,
) -> Answer {
    let f = collection_filter(&p);
    let (rows, choices, schemes, window, now) = collection_rows(lab, &s, f.clone()).await?;
    let points: Vec<(String, i64, i64)> = rows
        .iter()
        .map(|r| {
            // Dues against collections by month only (see the chart).
            let due = match f.period {
                Period::Month => r.expected.rupees(),
                Period::Day => 0,
            };
            (r.key.clone(), r.totals.net.rupees(), due)
        })
        .collect();
    // A chart that cannot be drawn leaves its table, which has the numbers.
    let svg = dashboard::chart::collections_svg(
        &points,
        &t(s.lang, "dash.net"),
        &t(s.lang, "dash.expected_dues"),
    )
    .unwrap_or_default();
    let q = query_string(&p, &["block", "panchayat", "scheme", "by"]);
    let page = views::collections(
        &frame(&s, "/collections", now),
        &views::CollectionsPage {
            rows: &rows,
            svg: &svg,
            choices: &choices,
            schemes: &schemes,
            filter: &f,
            query: &q,
            window: &window,
        },
    );
    Ok(html(StatusCode::OK, page))
}

async fn collections_csv(
    State(lab): State<Shared>,
    Officer(s): Officer,
    Query(p): Query<Params>,
) -> Answer {
    let q = query_string(&p, &["block", "panchayat", "scheme", "by"]);
    audit_export(&lab, &s, format!("collections.csv?{q}")).await?;
    let f = collection_filter(&p);
    let (rows, _, _, _, _) = collection_rows(lab, &s, f.clone()).await?;
    Ok(csv(
        "collections.csv",
        views::collections_csv_header(s.lang, f.period),
        rows.iter().map(views::collections_csv_line),
    ))
}

/// Day closes with a difference, of the kiosks the officer sees, newest
/// first.
async fn close_rows(
    lab: Shared,
    s: &Session,
) -> Result<(Vec<crate::store::CashDifference>, Window, Timestamp), Response> {
    recent(lab, s, |lab, scope, w| {
        let mut rows: Vec<_> = crate::cash_differences(lab, &w.from)?
            .into_iter()
            .filter(|r| scope.sees(&r.kiosk))
            .collect();
        rows.sort_by(|a, b| (&b.date, &a.kiosk).cmp(&(&a.date, &b.kiosk)));
        Ok(rows)
    })
    .await
}

/// What `read` makes of the books for the officer's scope and the last
/// [`dashboard::RECENT_DAYS`] days; with those days, and when it was read.
async fn recent<T: Send + 'static>(
    lab: Shared,
    s: &Session,
    read: impl FnOnce(&crate::Lab, Scope<'_>, &Window) -> Result<T, LabError> + Send + 'static,
) -> Result<(T, Window, Timestamp), Response> {
    let ((t, w), now) = scoped(lab, s, move |lab, scope, now| {
        let w = Window::days(now, dashboard::RECENT_DAYS);
        Ok((read(lab, scope, &w)?, w))
    })
    .await?;
    Ok((t, w, now))
}

/// What `read` makes of the books for the officer's scope (the kiosks of
/// her district, or all) as of now; with when it was read.
async fn scoped<T: Send + 'static>(
    lab: Shared,
    s: &Session,
    read: impl FnOnce(&crate::Lab, Scope<'_>, Timestamp) -> Result<T, LabError> + Send + 'static,
) -> Result<(T, Timestamp), Response> {
    let district = s.district.clone();
    books(lab, s.lang, move |lab| {
        let now = Timestamp::now();
        let places = lab.kiosk_places()?;
        let scope = Scope {
            district: district.as_deref(),
            places: &places,
        };
        Ok((read(lab, scope, now)?, now))
    })
    .await
}

async fn closes(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    let (rows, w, now) = close_rows(lab, &s).await?;
    Ok(html(
        StatusCode::OK,
        views::closes(&frame(&s, "/closes", now), &rows, &w),
    ))
}

async fn closes_csv(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    audit_export(&lab, &s, "closes.csv".into()).await?;
    let (rows, _, _) = close_rows(lab, &s).await?;
    Ok(csv(
        "closes.csv",
        views::closes_csv_header(s.lang),
        rows.iter().map(views::closes_csv_line),
    ))
}

/// The whole daily rollup as CSV, streamed: read on a connection of its
/// own on a blocking thread, a chunk of lines at a time, through a
/// channel of a few chunks, so that neither the lab's thread nor memory
/// holds the export (a state's rollup is millions of lines). The request
/// timeout ends with the headers; the body takes as long as the officer's
/// line needs. A failure half way cuts the download short (the browser
/// shows it failed) rather than sending a file that looks whole.
async fn daily_csv(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    audit_export(&lab, &s, "daily.csv".into()).await?;
    let (db, places) = books(lab, s.lang, |lab| {
        Ok((crate::db_url(lab).clone(), lab.kiosk_places()?))
    })
    .await?;
    let district = s.district.clone();
    let header = views::daily_csv_header(s.lang);
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        let failed = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
        let store = match db.open() {
            Ok(store) => store,
            Err(e) => {
                let _ = tx.blocking_send(Err(failed(&e)));
                return;
            }
        };
        let scope = Scope {
            district: district.as_deref(),
            places: &places,
        };
        let mut chunk = header;
        let mut lines = 0;
        let read = store.daily_each("", "9999-99-99", &mut |row| {
            if !scope.sees(&row.kiosk) {
                return true;
            }
            chunk.push_str(&views::daily_csv_line(&row, scope.place(&row.kiosk)));
            lines += 1;
            // A send fails when the officer's browser has gone: stop reading.
            lines % CSV_CHUNK != 0 || tx.blocking_send(Ok(std::mem::take(&mut chunk))).is_ok()
        });
        let last = read.map(|()| chunk).map_err(|e| failed(&e));
        let _ = tx.blocking_send(last);
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok(csv_response("daily.csv", Body::from_stream(stream)))
}

/// Coverage by village, of the kiosks the officer sees.
async fn coverage_lines(
    lab: Shared,
    s: &Session,
) -> Result<(Vec<dashboard::CoverageLine>, Timestamp), Response> {
    scoped(lab, s, |lab, scope, _| {
        Ok(dashboard::coverage(
            &crate::coverage(lab)?,
            &crate::enrolments(lab)?,
            scope,
        ))
    })
    .await
}

async fn coverage(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    let (lines, now) = coverage_lines(lab, &s).await?;
    Ok(html(
        StatusCode::OK,
        views::coverage(&frame(&s, "/coverage", now), &lines),
    ))
}

async fn coverage_csv(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    audit_export(&lab, &s, "village-coverage.csv".into()).await?;
    let (lines, _) = coverage_lines(lab, &s).await?;
    Ok(csv(
        "village-coverage.csv",
        views::coverage_csv_header(s.lang),
        lines.iter().map(views::coverage_csv_line),
    ))
}

/// Who owes what as of today, of the kiosks the officer sees: the ageing
/// by village and everyone behind.
async fn arrears_rows(
    lab: Shared,
    s: &Session,
) -> Result<(Vec<dashboard::AgeingRow>, Vec<dashboard::Owing>, Timestamp), Response> {
    let ((ageing, owing), now) = scoped(lab, s, |lab, scope, now| {
        let today = local_date(now);
        let (enrolments, dues) = (crate::enrolments(lab)?, crate::scheme_dues(lab)?);
        let owing = dashboard::owing(&enrolments, &dues, scope, today);
        let ageing = dashboard::ageing(&enrolments, &dues, &owing, scope, today);
        Ok((ageing, owing))
    })
    .await?;
    Ok((ageing, owing, now))
}

async fn arrears(
    State(lab): State<Shared>,
    Officer(s): Officer,
    Query(p): Query<Params>,
) -> Answer {
    let (ageing, owing, now) = arrears_rows(lab, &s).await?;
    let villages: Vec<String> = ageing.iter().map(|r| r.village.clone()).collect();
    let village = p.get("village").map_or("", String::as_str);
    Ok(html(
        StatusCode::OK,
        views::arrears(
            &frame(&s, "/arrears", now),
            &ageing,
            &owing,
            &villages,
            village,
        ),
    ))
}

async fn arrears_csv(
    State(lab): State<Shared>,
    Officer(s): Officer,
    Query(p): Query<Params>,
) -> Answer {
    let village = p.get("village").cloned().unwrap_or_default();
    audit_export(
        &lab,
        &s,
        format!("arrears.csv?{}", query_string(&p, &["village"])),
    )
    .await?;
    let (_, owing, _) = arrears_rows(lab, &s).await?;
    Ok(csv(
        "arrears.csv",
        views::arrears_csv_header(s.lang),
        owing
            .iter()
            .filter(|o| village.is_empty() || o.village == village)
            .map(views::arrears_csv_line),
    ))
}

/// The operators' rows of the last [`dashboard::RECENT_DAYS`] days, of the
/// kiosks the officer sees.
async fn operator_rows(
    lab: Shared,
    s: &Session,
) -> Result<(Vec<crate::store::OperatorDay>, Window, Timestamp), Response> {
    recent(lab, s, |lab, scope, w| {
        let ops = crate::operator_days(lab, &w.from, &w.to)?;
        Ok(dashboard::operator_rows(ops, scope))
    })
    .await
}

async fn operators(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    let (rows, w, now) = operator_rows(lab, &s).await?;
    Ok(html(
        StatusCode::OK,
        views::operators(&frame(&s, "/operators", now), &rows, &w),
    ))
}

async fn operators_csv(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    audit_export(&lab, &s, "operators.csv".into()).await?;
    let (rows, _, _) = operator_rows(lab, &s).await?;
    Ok(csv(
        "operators.csv",
        views::operators_csv_header(s.lang),
        rows.iter().map(views::operators_csv_line),
    ))
}

/// The anomalies of the last [`dashboard::RECENT_DAYS`] days (and every
/// Aadhaar reference held at two kiosks), of the kiosks the officer sees.
async fn anomaly_rows(
    lab: Shared,
    s: &Session,
) -> Result<(Anomalies, Window, Timestamp), Response> {
    recent(lab, s, |lab, scope, w| {
        Ok(Anomalies::compute(
            &crate::operator_days(lab, &w.from, &w.to)?,
            crate::cash_differences(lab, &w.from)?,
            crate::shared_aadhaar(lab)?,
            scope,
        ))
    })
    .await
}

async fn anomalies(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    let (a, w, now) = anomaly_rows(lab, &s).await?;
    Ok(html(
        StatusCode::OK,
        views::anomalies(&frame(&s, "/anomalies", now), &a, &w),
    ))
}

async fn anomalies_csv(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    audit_export(&lab, &s, "anomalies.csv".into()).await?;
    let (a, _, _) = anomaly_rows(lab, &s).await?;
    let l = s.lang;
    Ok(csv(
        "anomalies.csv",
        views::anomalies_csv_header(l),
        a.lines()
            .into_iter()
            .map(move |line| views::anomalies_csv_line(l, &line)),
    ))
}

/// The claims of the kiosks the officer sees, oldest filed first.
async fn claim_rows(
    lab: Shared,
    s: &Session,
) -> Result<(Vec<crate::claims::LabClaim>, Timestamp), Response> {
    scoped(lab, s, |lab, scope, _| {
        let mut all = lab.claims()?;
        all.retain(|c| scope.sees(&c.kiosk));
        Ok(all)
    })
    .await
}

async fn claims(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    claims_answer(lab, s, None).await
}

/// The claims page, with what became of a step just asked for.
async fn claims_answer(lab: Shared, s: Session, notice: Option<(bool, String)>) -> Answer {
    let status = match &notice {
        Some((false, _)) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let (rows, now) = claim_rows(lab, &s).await?;
    let notice = notice.as_ref().map(|(ok, text)| (*ok, text.as_str()));
    Ok(html(
        status,
        views::claims(&frame(&s, "/claims", now), &rows, notice),
    ))
}

/// A step on a claim from the claims page's forms, as `dastak-lab claims`
/// takes it: by the officer of the session (no password again: she logged
/// in), the lab deciding by her role and the claim's state, signed into
/// the claim log and audited. A viewer is refused before anything is read.
async fn claim_step(
    State(lab): State<Shared>,
    Officer(s): Officer,
    form: Result<Form<Params>, FormRejection>,
) -> Answer {
    use crate::claims::Action;
    let p = checked_form(&s, form)?;
    at_least(&s, Role::Officer)?;
    let l = s.lang;
    let field = |k: &str| p.get(k).cloned().unwrap_or_default();
    let claim = field("claim");
    let action = match field("step").as_str() {
        "verify" => Ok(Action::Verify),
        "publish" => Ok(Action::Publish),
        "object" => Ok(Action::Object {
            objection: field("objection"),
        }),
        "approve" => Ok(Action::Approve),
        "reject" => Ok(Action::Reject {
            reasons: field("reasons"),
        }),
        "pay" => dastak_core::domain::money::Paise::parse(&field("amount"))
            .map_err(|_| LabError::BadAmount)
            .and_then(|amount| {
                let on = match p.get("on").map(|d| d.trim()).filter(|d| !d.is_empty()) {
                    None => dastak_core::domain::time::local_date(Timestamp::now()),
                    Some(d) => dastak_core::domain::time::parse_date(d)
                        .ok_or_else(|| LabError::BadDate { got: d.to_string() })?,
                };
                // One reference per nominee paid by her own transfer,
                // typed in one box: spaces or commas between them.
                let bank_refs = field("bank_refs")
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|r| !r.is_empty())
                    .map(str::to_string)
                    .collect();
                Ok(Action::Pay {
                    amount,
                    bank_refs,
                    on,
                })
            }),
        _ => {
            return Err(problem(l, StatusCode::BAD_REQUEST, &t(l, "dash.bad_form")));
        }
    };
    let action = match action {
        Ok(a) => a,
        Err(e) => return claims_answer(lab, s, Some((false, e.message().render(l)))).await,
    };
    let by = s.officer.clone();
    let taken = with_lab(lab.clone(), move |lab| {
        let who = lab.officer_record(&by)?;
        lab.claim_step_by(&who, &claim, action, Timestamp::now())
    })
    .await?;
    let notice = match taken {
        Ok(entry) => (
            true,
            dastak_core::i18n::Message::new("labclaim.recorded")
                .arg("claim", &entry.claim)
                .arg_msg("step", crate::claims::step_message(&entry.step))
                .arg("n", entry.n)
                .render(l),
        ),
        Err(e) => (false, e.message().render(l)),
    };
    claims_answer(lab, s, Some(notice)).await
}

async fn claims_csv(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    audit_export(&lab, &s, "claims.csv".into()).await?;
    let (rows, _) = claim_rows(lab, &s).await?;
    let l = s.lang;
    Ok(csv(
        "claims.csv",
        views::claims_csv_header(l),
        rows.iter().map(move |c| views::claims_csv_line(l, c)),
    ))
}

/// The fund's statement of a month (`?month=yyyy-mm`; default the running
/// month, standing at now), as `dastak-lab fund statement` makes it: the
/// fund is the district's, so every officer sees it whole.
async fn fund(State(lab): State<Shared>, Officer(s): Officer, Query(p): Query<Params>) -> Answer {
    let month = p.get("month").cloned();
    let (statement, now) = books(lab, s.lang, move |lab| {
        let now = Timestamp::now();
        let month = month.unwrap_or_else(|| {
            dastak_core::domain::time::month_code(dastak_core::domain::time::local_date(now))
        });
        Ok((
            lab.fund_statement(dastak_core::domain::scheme::FUND, &month, now)?,
            now,
        ))
    })
    .await?;
    Ok(html(
        StatusCode::OK,
        views::fund(&frame(&s, "/fund", now), &statement),
    ))
}

/// Refuses a session whose role is below `role`.
// As `checked_form`: the refusal is sent as it is.
#[allow(clippy::result_large_err)]
fn at_least(s: &Session, role: Role) -> Result<(), Response> {
    if s.role >= role {
        Ok(())
    } else {
        Err(problem(
            s.lang,
            StatusCode::FORBIDDEN,
            &t(s.lang, "dash.forbidden"),
        ))
    }
}

async fn officers_page(State(lab): State<Shared>, Officer(s): Officer) -> Answer {
    at_least(&s, Role::Admin)?;
    officers_answer(lab, s, None).await
}

async fn officers_answer(lab: Shared, s: Session, notice: Option<(bool, String)>) -> Answer {
    let status = match &notice {
        Some((false, _)) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let (log, now) = books(lab, s.lang, |lab| {
        Ok((lab.audit_log(200)?, Timestamp::now()))
    })
    .await?;
    let notice = notice.as_ref().map(|(ok, text)| (*ok, text.as_str()));
    Ok(html(
        status,
        views::officers(&frame(&s, "/officers", now), &log, notice),
    ))
}

async fn add_officer(
    State(lab): State<Shared>,
    Officer(s): Officer,
    form: Result<Form<Params>, FormRejection>,
) -> Answer {
    let p = checked_form(&s, form)?;
    at_least(&s, Role::Admin)?;
    let l = s.lang;
    let Some(role) = p.get("role").and_then(|r| Role::parse(r)) else {
        return officers_answer(lab, s, Some((false, t(l, "lab.bad_role")))).await;
    };
    let name = p.get("name").cloned().unwrap_or_default();
    let password = p.get("password").cloned().unwrap_or_default();
    let district = p
        .get("district")
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    let by = s.officer.clone();
    let added = with_lab(lab.clone(), move |lab| {
        let now = Timestamp::now();
        lab.add_officer(
            &by,
            &name,
            &password,
            role,
            district.as_deref(),
            Lang::Hi,
            now,
        )?;
        Ok::<_, LabError>(name)
    })
    .await?;
    let notice = match added {
        Ok(name) => (
            true,
            dastak_core::i18n::Message::new("dash.officer_added")
                .arg("name", name.trim().to_ascii_lowercase())
                .render(l),
        ),
        Err(e) => (false, e.message().render(l)),
    };
    officers_answer(lab, s, Some(notice)).await
}
