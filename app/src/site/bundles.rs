//! The built bundles (CSS, JS, wasm) as the page links them, and the script that starts the app.
//! Names come from the same `LeptosOptions` cargo-leptos builds with, plus the content hashes
//! it writes to `hash.txt` beside the server binary when `hash-files` is on — read once.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use leptos::prelude::*;

/// The site paths of the built bundles, and the hash file their names came from.
pub struct Bundles {
    pub css: String,
    pub js: String,
    pub wasm: String,
    pub hash_file: Option<PathBuf>,
}

/// What this server binary links: named once, from the hash file beside it.
fn bundles(options: &LeptosOptions) -> &'static Bundles {
    static BUNDLES: OnceLock<Bundles> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        let exe_dir = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_owned));
        bundles_for(options, exe_dir.as_deref())
    })
}

/// The bundles a binary in `exe_dir` links (the server checks at start that they exist).
pub fn bundles_for(options: &LeptosOptions, exe_dir: Option<&Path>) -> Bundles {
    let hash_file = exe_dir.filter(|_| options.hash_files).map(|dir| dir.join(options.hash_file.as_ref()));
    let hashes = hash_file.as_ref().and_then(|file| std::fs::read_to_string(file).ok()).unwrap_or_default();
    let hash = |kind: &str| {
        hashes
            .lines()
            .find_map(|line| line.trim().strip_prefix(kind)?.strip_prefix(':').map(|h| format!(".{}", h.trim())))
            .unwrap_or_default()
    };
    let name = &options.output_name;
    // Leptos names the wasm `<name>_bg` unless LEPTOS_OUTPUT_NAME was set when it was built
    // (.cargo/config.toml sets it).
    let bg = if hashes.is_empty() && option_env!("LEPTOS_OUTPUT_NAME").is_none() { "_bg" } else { "" };
    let pkg = format!("/{}", options.site_pkg_dir);
    Bundles {
        css: format!("{pkg}/{name}{}.css", hash("css")),
        js: format!("{pkg}/{name}{}.js", hash("js")),
        wasm: format!("{pkg}/{name}{bg}{}.wasm", hash("wasm")),
        hash_file: hash_file.filter(|_| !hashes.is_empty()),
    }
}

pub fn stylesheet_href(options: &LeptosOptions) -> &'static str {
    &bundles(options).css
}

/// Starts the app when the reader shows intent, not on load: a reader who only reads never
/// fetches it (the page already works without it: links are plain links, forms plain forms).
/// Intent is focus in a field or from the keyboard, a touch on something that acts (a link, a
/// button, a field) or a pointer resting on it for 80 ms, the comment section coming near the
/// screen (live comments), or an address pointing into it. A click before the app runs is the
/// browser's (a pressed pointer cancels a pending start, so a followed link costs no download),
/// and so is one during start-up. Hydration leaves what was typed in a field in place (fields
/// are not controlled by the app). The script also marks the browser as one that runs scripts
/// (see `comments::reader`).
///
/// The app is a set of islands: the server renders every page, and the wasm runs only the
/// parts a reader acts on (`#[island]` components), so it carries no page views and no router.
/// Once it runs, [`NAVIGATION`] moves between the site's pages in place.
#[component]
pub fn StartApp(options: LeptosOptions) -> impl IntoView {
    // Islands mode: nothing outside an island is rendered for hydration (no serialized page
    // data: resources stay on the server); each island turns it on for itself. Leptos' own
    // `HydrationScripts` does the same; this component replaces it.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let Bundles { js, wasm, .. } = bundles(&options);
    let (js, wasm) = (serde_json::to_string(js).unwrap_or_default(), serde_json::to_string(wasm).unwrap_or_default());
    let cookie = crate::core::RUNS_SCRIPTS_COOKIE;
    let script = format!(
        r#"{{document.cookie='{cookie}=1;path=/;samesite=lax';let started=false,timer;
const start=()=>{{if(started)return;started=true;stop();import({js}).then(async(app)=>{{await app.default({{module_or_path:{wasm}}});app.hydrate();
const islands=(root)=>root.querySelectorAll('leptos-island').forEach((el)=>{{if(!el.$started){{el.$started=true;try{{app[el.dataset.component]?.(el);}}catch(error){{console.error(error);}}}}}});
islands(document);document.documentElement.dataset.hydrated='true';({NAVIGATION})(islands);}});}};
const acts='a[href],button,input,textarea,select,summary,label';
const over=(e)=>{{if(e.target.closest?.(acts)){{clearTimeout(timer);timer=setTimeout(start,80);}}}};
const focus=(e)=>{{if(e.target.matches?.(':focus-visible'))start();}};
const touch=(e)=>{{if(e.target.closest?.(acts))start();}};
const out=()=>clearTimeout(timer);
const now=[['focusin',focus],['pointerdown',out],['touchstart',touch],['pointerover',over],['pointerout',out]];
let seen;const stop=()=>{{now.forEach(([n,f])=>removeEventListener(n,f,true));seen?.disconnect();}};
now.forEach(([n,f])=>addEventListener(n,f,{{capture:true,passive:true}}));
const comments=document.getElementById('comments');
if(comments)(seen=new IntersectionObserver((es)=>es.some((e)=>e.isIntersecting)?start():0,{{rootMargin:'200px'}})).observe(comments);
if(/^#(comment|respond)/.test(location.hash))start();}}"#
    );
    // The page's nonce marks its own inline scripts: the Content-Security-Policy allows only
    // those (see the server's security headers). The script is the page's own text, so it is
    // written as is (`inner_html`), not escaped.
    view! { <script type="module" nonce=leptos::nonce::use_nonce() inner_html=script></script> }
}

/// Client-side navigation once the app runs: a plain click on a link to one of the site's
/// pages, a GET form (search), a form posting to a server function outside an island (it
/// answers a page's post with a redirect to the page that shows the outcome) and the browser's
/// back and forward fetch the server's page and put its `<main>` and head in place of the
/// current ones, then start its islands. Anything
/// else (other sites, the desk, feeds, a new tab, a link within the page) is the browser's; a
/// page that cannot be fetched, or that a newer build of the site sent (other bundles), is
/// loaded the ordinary way, and a form whose post was not answered with a page is submitted
/// the ordinary way. A form already posting ignores further submits; only the latest of
/// overlapping navigations lands; back and forward return to where the reader had scrolled
/// (positions kept per history entry). Before replacing the content it dispatches
/// `LEAVE_EVENT`, so the replaced islands close what they hold open and are disposed
/// (`core::end_with_the_page`). `?replytocom=` is the comment form's own business (its Reply
/// links set it in place), so it never makes another page.
const NAVIGATION: &str = r#"(islands)=>{const key=(u)=>{const q=new URLSearchParams(u.search);q.delete('replytocom');return `${u.pathname}?${q}`;};
let here=key(location),latest=0,id=history.state?.id||`${Date.now()}`;const pos={};
history.replaceState({id},'');history.scrollRestoration='manual';
addEventListener('scroll',()=>{pos[id]=scrollY;},{passive:true});
addEventListener('pagehide',()=>{history.scrollRestoration='auto';});
const ours=(u)=>u.origin===location.origin&&!/\.\w+$/.test(u.pathname)&&/^\/($|(article|category|tag|author)\/|search$|newsletter\/(confirm|unsubscribe)$)/.test(u.pathname);
const head='meta[name]:not([name=viewport]):not([name=color-scheme]),meta[property],link[rel=canonical],link[rel=alternate],link[rel=prev],link[rel=next],script[type="application/ld+json"]';
const build=(d)=>[d.querySelector('link[rel=stylesheet]')?.getAttribute('href'),d.querySelector('script[type=module]')?.textContent].join();
const load=(href,push)=>push?location.assign(href):location.replace(href);
const go=async(href,push,form,body)=>{const n=++latest;let r,text;
try{r=await fetch(href,{method:body?'POST':'GET',body,headers:{accept:'text/html'}});text=await r.text();}catch(e){if(n===latest)form?form.submit():load(href,push);return;}
if(n!==latest)return;
const doc=new DOMParser().parseFromString(text,'text/html'),main=doc.getElementById('content');
if(!main||!(r.headers.get('content-type')||'').startsWith('text/html')){form?form.submit():load(r.url||href,push);return;}
if(build(doc)!==build(document)){load(r.url||href,true);return;}
dispatchEvent(new Event('newsroom:leave'));pos[id]=scrollY;
document.title=doc.title;document.head.querySelectorAll(head).forEach((e)=>e.remove());document.head.append(...doc.head.querySelectorAll(head));
document.getElementById('content').replaceWith(main);
const to=new URL(r.url||href);to.hash=new URL(href).hash;here=key(to);
if(push){id=`${Date.now()}`;if(to.href===location.href)history.replaceState({id},'');else history.pushState({id},'',to.href);}else id=history.state?.id||id;
islands(main);
let target=null;try{target=to.hash&&document.getElementById(decodeURIComponent(to.hash.slice(1)));}catch(e){}
if(target)target.scrollIntoView();else scrollTo(0,push?0:pos[id]||0);
main.focus({preventScroll:true});};
addEventListener('click',(e)=>{const a=e.target.closest?.('a[href]');
if(!a||e.defaultPrevented||e.button||e.metaKey||e.ctrlKey||e.shiftKey||e.altKey||a.target||a.hasAttribute('download'))return;
const u=new URL(a.href);if(!ours(u)||(key(u)===key(location)&&u.hash))return;
e.preventDefault();go(u.href,true);});
addEventListener('submit',(e)=>{const f=e.target;if(e.defaultPrevented)return;const u=new URL(f.action),data=new URLSearchParams(new FormData(f,e.submitter));
if(f.method==='get'){u.search=data.toString();if(ours(u)){e.preventDefault();go(u.href,true);}}
else if(u.origin===location.origin&&u.pathname.startsWith('/api/')){e.preventDefault();if(f.dataset.sending)return;f.dataset.sending='yes';go(u.href,true,f,data).finally(()=>delete f.dataset.sending);}});
addEventListener('popstate',()=>{if(key(location)!==here)go(location.href,false);});}"#;
