/**
 * Outreach course staff: a MediaWiki gadget.
 *
 * On User:, User talk:, Special:Contributions and Special:DeletedContributions
 * pages of a user enrolled in an active course on a dashboard the service asks
 * (the Outreach Dashboard, the Wiki Education Dashboard), adds a "Course staff"
 * link to the page tools (the Tools portlet, p-tb). The link opens a dialog
 * listing the active courses (linked to their pages, each labelled with its
 * dashboard), the user's own role in each and when it ends, with their staff
 * (linked to their user talk pages), and a button that copies
 * {{ping|1=A|2=B|3=C}} for all staff but the user. A name that MediaWiki would
 * refuse as a username, or read as another one, is left out of both: it could
 * be wikitext, sign the message (three tildes) or ping someone else.
 *
 * Requests: none on a page without the Tools portlet (Minerva has it only on
 * user and user talk pages); otherwise one status request per page view, and a
 * second one (the staff) only when the user has an active course. Both say
 * which wiki this is (wiki=, its wgServerName), so dashboards that serve other
 * wikis are not asked. Nothing else, and no cookies are sent. Errors are logged
 * to the console, never shown to readers.
 *
 * Setup, translation and configuration: GADGET.md of outreach-dashboard-helper.
 * Dependencies: mediawiki.util. Syntax: ES5 only, because MediaWiki 1.39 checks
 * a gadget's pages as ES5 and replaces a script with later syntax (const, arrow
 * functions, spread) by a parse error. The browser APIs used (fetch, Promise,
 * URL) are checked at run time: without them the gadget logs a warning and does nothing.
 */
( function () {
	'use strict';

	// Filled in by the service that serves this file (JSON string literals): the API
	// from its OUTREACH_PUBLIC_URL, or null when that is unset. A wiki may set or
	// override it with mw.config.set( 'outreachStaffApi', 'https://...' ).
	var SERVED_API = /*@OUTREACH_API_BASE@*/null;
	var TIMEOUT_MS = 10000;
	var PREFIX = 'outreach-staff';
	// The portlet the link goes into: the Tools of every skin. Minerva renders it, as the
	// page actions' overflow menu, only on user and user talk pages.
	var PORTLET = 'p-tb';
	// MediaWiki's rules for usernames (UserNameUtils::isValid, and the title rules of
	// MediaWikiTitleCodec it applies). What titles read as white space is one space:
	var TITLE_SPACES = /[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
	// No username holds "/", what no title holds ($wgLegalTitleChars), control characters,
	// the zero-width U+200B-U+200D, the bidirectional marks and embeddings U+200E, U+200F,
	// U+202A-U+202E (titles drop them: the name would be read as another), private use
	// and U+FFFD; nor, below, halves of surrogate pairs, percent escapes or HTML entities.
	var NOT_IN_USERNAMES = /[\/#<>\[\]|{}\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\ue000-\uf8ff\ufffd]/;
	var LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;
	var TITLE_ESCAPES = /%[0-9A-Fa-f]{2}|&[A-Za-z0-9\u0080-\uffff]+;/;
	// Three tildes, a signature on save. Never written out here: MediaWiki's pre-save
	// transform would sign this page itself where a wiki saves it (T34858).
	var SIGNATURE = /~{3}/;
	// UserNameUtils::isIP: besides real addresses, anything shaped like IPv4.
	var IPV4_SHAPED = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.(?:xxx|\d{1,3})$/;
	// A namespace prefix, as MediaWikiTitleCodec splits one off ("User talk:X" is no username).
	var PREFIXED = /^(.+?)_*:_*(.*)$/;
	var MAX_USERNAME_BYTES = 255;
	// The roles a user may have in a course (the service's codes), each with its message.
	var ROLES = [ 'student', 'instructor', 'campus_volunteer', 'online_volunteer', 'staff' ];
	// The dashboards known by name (their message keys); any other is shown by its host.
	var KNOWN_DASHBOARDS = {
		'outreachdashboard.wmflabs.org': 'outreach-staff-dashboard-outreach',
		'dashboard.wikiedu.org': 'outreach-staff-dashboard-wikiedu'
	};

	// English defaults; a wiki translates them with mw.messages.set() before this runs.
	var MESSAGES = {
		'outreach-staff-portlet': 'Course staff',
		'outreach-staff-portlet-tooltip': 'Staff of this user\'s active dashboard courses',
		'outreach-staff-title': 'Course staff of $1',
		'outreach-staff-intro': 'Active dashboard courses of $1 and their staff:',
		'outreach-staff-course-tooltip': 'The course on $1',
		'outreach-staff-dashboard-outreach': 'Outreach Dashboard',
		'outreach-staff-dashboard-wikiedu': 'Wiki Education Dashboard',
		'outreach-staff-talk-tooltip': 'User talk page of $1',
		'outreach-staff-role': 'Role of $1: $2',
		'outreach-staff-role-student': 'student',
		'outreach-staff-role-instructor': 'instructor',
		'outreach-staff-role-campus_volunteer': 'campus volunteer',
		'outreach-staff-role-online_volunteer': 'online volunteer',
		'outreach-staff-role-staff': 'staff',
		'outreach-staff-ends': 'Ends $1',
		'outreach-staff-no-ping': 'No other staff to ping.',
		'outreach-staff-copy': 'Copy ping for all staff',
		'outreach-staff-copied': 'Copied to the clipboard: $1',
		'outreach-staff-copy-failed': 'Could not copy. Select the text above and copy it.',
		'outreach-staff-close': 'Close',
		'outreach-staff-ping-template': 'ping'
	};

	var STYLES = [
		'.outreach-staff-overlay { position: fixed; top: 0; right: 0; bottom: 0; left: 0;',
		'  z-index: 1000; display: flex;',
		'  align-items: flex-start; justify-content: center; padding: 8vh 1em 1em;',
		'  background: rgba( 32, 33, 34, 0.5 ); }',
		'.outreach-staff-dialog { box-sizing: border-box; width: 34em; max-width: 100%;',
		'  max-height: 84vh; overflow: auto; padding: 1em 1.25em;',
		'  background: var( --background-color-base, #fff ); color: var( --color-base, #202122 );',
		'  border: 1px solid var( --border-color-base, #a2a9b1 ); border-radius: 2px;',
		'  box-shadow: 0 2px 8px rgba( 0, 0, 0, 0.3 ); font-size: 0.875rem; line-height: 1.5; }',
		'.outreach-staff-dialog:focus { outline: 2px solid var( --color-progressive, #36c ); }',
		'.outreach-staff-header { display: flex; align-items: baseline; gap: 1em; }',
		'.outreach-staff-header h2 { flex: 1; margin: 0; padding: 0; border: 0;',
		'  font-size: 1.25em; font-weight: bold; font-family: inherit; }',
		'.outreach-staff-courses { list-style: none; margin: 0.5em 0; padding: 0; }',
		'.outreach-staff-course { margin: 0 0 0.75em; }',
		'.outreach-staff-course h3 { margin: 0; padding: 0; font-size: 1em; font-weight: bold; }',
		'.outreach-staff-about, .outreach-staff-facts { color: var( --color-subtle, #54595d );',
		'  font-size: 0.9em; }',
		'.outreach-staff-dashboard { display: inline-block; margin-left: 0.5em; padding: 0 0.4em;',
		'  border: 1px solid var( --border-color-base, #a2a9b1 ); border-radius: 2px;',
		'  background: var( --background-color-interactive-subtle, #f8f9fa );',
		'  color: var( --color-base, #202122 ); font-size: 0.85em; white-space: nowrap; }',
		'.outreach-staff-people { margin: 0.25em 0 0 1.5em; padding: 0; }',
		'.outreach-staff-footer { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5em;',
		'  border-top: 1px solid var( --border-color-subtle, #c8ccd1 ); padding-top: 0.75em; }',
		'.outreach-staff-ping { flex: 1 1 100%; overflow-wrap: anywhere; user-select: all; }',
		'.outreach-staff-button { font: inherit; cursor: pointer; padding: 0.3em 0.8em;',
		'  border: 1px solid var( --border-color-base, #a2a9b1 ); border-radius: 2px;',
		'  background: var( --background-color-interactive-subtle, #f8f9fa ); color: inherit; }',
		'.outreach-staff-copy { background: var( --background-color-progressive, #36c );',
		'  border-color: var( --border-color-progressive, #36c );',
		'  color: var( --color-inverted-fixed, #fff ); font-weight: bold; }',
		'.outreach-staff-status { flex: 1 1 100%; min-height: 1.5em; margin: 0;',
		'  color: var( --color-subtle, #54595d ); }'
	].join( '\n' );

	/** `map[ key ]` if `map` has it as its own property, else null (never Object.prototype's). */
	function own( map, key ) {
		return map && Object.prototype.hasOwnProperty.call( map, key ) ? map[ key ] : null;
	}

	function warn() {
		var args = Array.prototype.slice.call( arguments );
		mw.log.warn.apply( mw.log, [ '[outreach-staff]' ].concat( args ) );
	}

	function setDefaultMessages() {
		Object.keys( MESSAGES ).forEach( function ( key ) {
			// A message a wiki did not translate is missing, or '⧼key⧽' from ResourceLoader.
			if ( !mw.messages.exists( key ) || mw.messages.get( key ) === '⧼' + key + '⧽' ) {
				mw.messages.set( key, MESSAGES[ key ] );
			}
		} );
	}

	/** The text of message `key`, with any further arguments as its $1, $2... */
	function msg() {
		return mw.message.apply( mw, arguments ).text();
	}

	function trimSlash( url ) {
		return String( url ).replace( /\/+$/, '' );
	}

	function apiBase() {
		var base = mw.config.get( 'outreachStaffApi' ) || SERVED_API;
		return base ? trimSlash( base ) : null;
	}

	/** The user this page is about, if it is about one registered user. */
	function relevantUser() {
		var user = username( mw.config.get( 'wgRelevantUserName' ) );
		if ( !user ) {
			return null;
		}
		var ns = mw.config.get( 'wgNamespaceNumber' );
		var special = mw.config.get( 'wgCanonicalSpecialPageName' );
		if ( ns === 2 || ns === 3 || special === 'Contributions' || special === 'DeletedContributions' ) {
			return user;
		}
		return null;
	}

	/**
	 * `name` as a MediaWiki username (white space as single spaces, NFC), or null where
	 * MediaWiki would refuse it as one or read it as another name: empty, an IP address,
	 * "." or "..", over 255 bytes, with three tildes (a signature), a namespace prefix or a
	 * character above. Only such names go into links and into the {{ping|...}} text.
	 */
	function username( name ) {
		if ( typeof name !== 'string' || NOT_IN_USERNAMES.test( name ) || LONE_SURROGATE.test( name ) ) {
			return null;
		}
		var canonical = name.replace( TITLE_SPACES, ' ' ).replace( /^ | $/g, '' );
		if ( canonical.normalize ) {
			canonical = canonical.normalize( 'NFC' );
		}
		if ( !canonical || canonical === '.' || canonical === '..' || canonical.charAt( 0 ) === ':' ||
			SIGNATURE.test( canonical ) || TITLE_ESCAPES.test( canonical ) ||
			IPV4_SHAPED.test( canonical ) || mw.util.isIPAddress( canonical, true )
		) {
			return null;
		}
		var prefixed = PREFIXED.exec( canonical.replace( / /g, '_' ) );
		if ( prefixed && own( mw.config.get( 'wgNamespaceIds' ), prefixed[ 1 ].toLowerCase() ) !== null ) {
			return null;
		}
		// UTF-8 bytes: each %XX of the encoding is one byte, every other character one.
		var bytes = encodeURIComponent( canonical ).replace( /%[0-9A-F]{2}/g, '.' ).length;
		return bytes <= MAX_USERNAME_BYTES ? canonical : null;
	}

	/** The staff answer with every name that cannot be a username left out (and counted). */
	function onlyUsernames( data ) {
		var skipped = 0;
		function keep( names ) {
			var kept = [];
			( Array.isArray( names ) ? names : [] ).forEach( function ( name ) {
				var valid = username( name );
				if ( valid === null ) {
					skipped += 1;
				} else if ( kept.indexOf( valid ) === -1 ) {
					kept.push( valid );
				}
			} );
			return kept;
		}
		var clean = {
			all_staff: keep( data.all_staff ),
			courses: data.courses.map( function ( course ) {
				return {
					course_slug: course.course_slug,
					course_title: course.course_title,
					page: coursePage( course.url ),
					dashboard: course.dashboard,
					user_role: ROLES.indexOf( course.user_role ) === -1 ? null : course.user_role,
					end: course.end,
					staff: keep( course.staff )
				};
			} )
		};
		if ( skipped ) {
			warn( 'left out ' + skipped + ' staff name(s) that cannot be usernames' );
		}
		return clean;
	}

	function getJSON( url ) {
		var controller = typeof AbortController === 'function' ? new AbortController() : null;
		var timer = controller ? setTimeout( function () {
			controller.abort();
		}, TIMEOUT_MS ) : null;
		return fetch( url, {
			credentials: 'omit',
			headers: { Accept: 'application/json' },
			signal: controller ? controller.signal : undefined
		} ).then( function ( response ) {
			if ( !response.ok ) {
				// Read the problem body (it finishes the request), then fail with it.
				return response.text().then( function ( detail ) {
					throw new Error( 'HTTP ' + response.status + ' from ' + url + ': ' + detail );
				} );
			}
			return response.json();
		} ).then( function ( body ) {
			clearTimeout( timer );
			return body;
		}, function ( error ) {
			clearTimeout( timer );
			throw error;
		} );
	}

	/**
	 * The service's URL for `what` about `user`, saying which wiki this page view is on
	 * (its server name), so that dashboards serving other wikis are not asked.
	 */
	function userUrl( api, user, what ) {
		var url = api + '/api/users/' + encodeURIComponent( user.replace( / /g, '_' ) ) + '/' + what;
		var wiki = mw.config.get( 'wgServerName' );
		return typeof wiki === 'string' && wiki ? url + '?wiki=' + encodeURIComponent( wiki ) : url;
	}

	/**
	 * A course's page as the service gives it (`url`, on the course's own dashboard):
	 * { href, host } when it is an absolute http(s) URL, else null (no link then).
	 */
	function coursePage( url ) {
		var parsed;
		if ( typeof url !== 'string' ) {
			return null;
		}
		try { // no base: a relative or protocol-relative URL throws
			parsed = new URL( url );
		} catch ( e ) {
			return null;
		}
		if ( ( parsed.protocol !== 'http:' && parsed.protocol !== 'https:' ) || !parsed.host ) {
			return null;
		}
		return { href: parsed.href, host: parsed.host };
	}

	/** What a course's dashboard is called: a known one by name, any other by its host. */
	function dashboardLabel( course ) {
		if ( course.page ) {
			var key = own( KNOWN_DASHBOARDS, course.page.host.toLowerCase() );
			return key ? msg( key ) : course.page.host;
		}
		// No usable page: the service's name for the dashboard, if it is one.
		return typeof course.dashboard === 'string' && /^[a-z][a-z0-9_-]{0,31}$/.test( course.dashboard ) ?
			course.dashboard : '';
	}

	/** The course's title, linked to its page when it has one. */
	function courseTitle( course ) {
		var title = String( course.course_title );
		if ( !course.page ) {
			return el( 'span', { class: PREFIX + '-course-title' }, [ title ] );
		}
		return el( 'a', {
			class: PREFIX + '-course-link',
			href: course.page.href,
			title: msg( 'outreach-staff-course-tooltip', course.page.host )
		}, [ title ] );
	}

	/** `iso` (UTC) as a day in the reader's language, such as "December 17, 2026"; or null. */
	function courseDay( iso ) {
		var date = typeof iso === 'string' ? new Date( iso ) : null;
		if ( !date || isNaN( date.getTime() ) ) {
			return null;
		}
		// The dashboard's day, wherever the reader is.
		var options = { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' };
		try {
			return date.toLocaleDateString( mw.config.get( 'wgUserLanguage' ) || undefined, options );
		} catch ( e ) { // a language code that is no BCP 47 tag: the browser's language
			return date.toLocaleDateString( undefined, options );
		}
	}

	/** The user's role in a course and when it ends, as far as the answer says. */
	function courseFacts( user, course ) {
		var facts = [];
		if ( course.user_role ) {
			facts.push( el( 'span', { class: PREFIX + '-role' }, [
				msg( 'outreach-staff-role', user, msg( 'outreach-staff-role-' + course.user_role ) )
			] ) );
		}
		var day = courseDay( course.end );
		if ( day ) {
			if ( facts.length ) {
				facts.push( ' · ' );
			}
			facts.push( el( 'time', { class: PREFIX + '-end', datetime: course.end }, [
				msg( 'outreach-staff-ends', day )
			] ) );
		}
		return facts.length ? [ el( 'div', { class: PREFIX + '-facts' }, facts ) ] : [];
	}

	function schoolOf( slug ) {
		return String( slug ).split( '/' )[ 0 ].replace( /_/g, ' ' );
	}

	/**
	 * {{ping|1=A|2=B}}: numbered parameters, so that a name holding "=" (old accounts may)
	 * is a value, never the name of a parameter.
	 */
	function pingText( staff ) {
		var params = staff.map( function ( name, i ) {
			return ( i + 1 ) + '=' + name;
		} );
		return '{{' + [ msg( 'outreach-staff-ping-template' ) ].concat( params ).join( '|' ) + '}}';
	}

	function el( tag, attrs, children ) {
		var node = document.createElement( tag );
		Object.keys( attrs || {} ).forEach( function ( name ) {
			node.setAttribute( name, attrs[ name ] );
		} );
		( children || [] ).forEach( function ( child ) {
			node.appendChild( typeof child === 'string' ? document.createTextNode( child ) : child );
		} );
		return node;
	}

	function copyText( text ) {
		function fallback() {
			var area = el( 'textarea', { readonly: '', 'aria-hidden': 'true' } );
			area.value = text;
			area.style.position = 'fixed';
			area.style.top = '-1000px';
			document.body.appendChild( area );
			area.select();
			var ok = false;
			try {
				ok = document.execCommand( 'copy' );
			} catch ( e ) {
				ok = false;
			}
			area.remove();
			return ok ? Promise.resolve() : Promise.reject( new Error( 'execCommand copy failed' ) );
		}
		if ( navigator.clipboard && window.isSecureContext ) {
			return navigator.clipboard.writeText( text ).catch( fallback );
		}
		return fallback();
	}

	function focusable( root ) {
		return Array.prototype.slice.call(
			root.querySelectorAll( 'a[href], button:not([disabled]), [tabindex]:not([tabindex="-1"])' )
		);
	}

	/** Open the dialog for one user's active staff; focus returns to `opener` on close. */
	function openDialog( user, data, opener ) {
		var titleId = PREFIX + '-title';
		var close = el( 'button', {
			type: 'button',
			class: PREFIX + '-button ' + PREFIX + '-close',
			'aria-label': msg( 'outreach-staff-close' )
		}, [ '×' ] );
		var courses = el( 'ul', { class: PREFIX + '-courses' }, data.courses.map( function ( course ) {
			var about = [ el( 'span', { class: PREFIX + '-school' }, [ schoolOf( course.course_slug ) ] ) ];
			var label = dashboardLabel( course );
			if ( label ) {
				about.push( el( 'span', { class: PREFIX + '-dashboard' }, [ label ] ) );
			}
			return el( 'li', { class: PREFIX + '-course' }, [
				el( 'h3', {}, [ courseTitle( course ) ] ),
				el( 'div', { class: PREFIX + '-about' }, about )
			].concat( courseFacts( user, course ), [
				el( 'ul', { class: PREFIX + '-people' }, course.staff.map( function ( name ) {
					return el( 'li', {}, [ el( 'a', {
						class: PREFIX + '-person',
						href: mw.util.getUrl( 'User talk:' + name ),
						title: msg( 'outreach-staff-talk-tooltip', name )
					}, [ name ] ) ] );
				} ) )
			] ) );
		} ) );
		// The ping is for writing to the others about the user: it leaves the user out.
		var others = data.all_staff.filter( function ( name ) {
			return name !== user;
		} );
		var ping = others.length ? pingText( others ) : null;
		var status = el( 'p', { class: PREFIX + '-status', role: 'status', 'aria-live': 'polite' } );
		var copy = el( 'button', {
			type: 'button',
			class: PREFIX + '-button ' + PREFIX + '-copy'
		}, [ msg( 'outreach-staff-copy' ) ] );
		var footer = ping ? [
			el( 'code', { class: PREFIX + '-ping' }, [ ping ] ),
			copy,
			status
		] : [ el( 'p', { class: PREFIX + '-status' }, [ msg( 'outreach-staff-no-ping' ) ] ) ];
		var dialog = el( 'div', {
			class: PREFIX + '-dialog',
			role: 'dialog',
			'aria-modal': 'true',
			'aria-labelledby': titleId,
			tabindex: '-1'
		}, [
			el( 'div', { class: PREFIX + '-header' }, [
				el( 'h2', { id: titleId }, [ msg( 'outreach-staff-title', user ) ] ),
				close
			] ),
			el( 'p', {}, [ msg( 'outreach-staff-intro', user ) ] ),
			courses,
			el( 'div', { class: PREFIX + '-footer' }, footer )
		] );
		var overlay = el( 'div', { class: PREFIX + '-overlay' }, [ dialog ] );

		function onKey( event ) {
			if ( event.key === 'Escape' ) {
				event.preventDefault();
				finish();
			} else if ( event.key === 'Tab' ) {
				var items = focusable( dialog );
				var first = items[ 0 ];
				var last = items[ items.length - 1 ];
				if ( event.shiftKey && ( document.activeElement === first || document.activeElement === dialog ) ) {
					event.preventDefault();
					last.focus();
				} else if ( !event.shiftKey && document.activeElement === last ) {
					event.preventDefault();
					first.focus();
				}
			}
		}
		function finish() {
			overlay.remove();
			opener.setAttribute( 'aria-expanded', 'false' );
			opener.focus();
		}
		overlay.addEventListener( 'keydown', onKey );
		overlay.addEventListener( 'click', function ( event ) {
			if ( event.target === overlay ) {
				finish();
			}
		} );
		close.addEventListener( 'click', finish );
		copy.addEventListener( 'click', function () {
			copyText( ping ).then(
				function () {
					status.textContent = msg( 'outreach-staff-copied', ping );
				},
				function ( error ) {
					warn( 'copy failed', error );
					status.textContent = msg( 'outreach-staff-copy-failed' );
				}
			);
		} );
		document.body.appendChild( overlay );
		opener.setAttribute( 'aria-expanded', 'true' );
		dialog.focus();
	}

	function addLink( user, data ) {
		var item = mw.util.addPortletLink(
			PORTLET, '#', msg( 'outreach-staff-portlet' ), 't-' + PREFIX,
			msg( 'outreach-staff-portlet-tooltip' )
		);
		if ( !item ) {
			return;
		}
		var link = item.querySelector( 'a' );
		link.setAttribute( 'aria-haspopup', 'dialog' );
		link.setAttribute( 'aria-expanded', 'false' );
		link.addEventListener( 'click', function ( event ) {
			event.preventDefault();
			if ( !document.querySelector( '.' + PREFIX + '-overlay' ) ) {
				openDialog( user, data, link );
			}
		} );
	}

	function domReady() {
		return new Promise( function ( resolve ) {
			if ( document.readyState === 'loading' ) {
				document.addEventListener( 'DOMContentLoaded', resolve, { once: true } );
			} else {
				resolve();
			}
		} );
	}

	function main() {
		if ( mw.config.get( 'outreachStaffLoaded' ) ) {
			return null; // loaded twice (gadget and common.js): run once
		}
		mw.config.set( 'outreachStaffLoaded', true );
		var user = relevantUser();
		var api = apiBase();
		if ( !user ) {
			return null;
		}
		if ( !api ) {
			warn( 'no API base URL: set mw.config outreachStaffApi' );
			return null;
		}
		return domReady().then( function () {
			if ( !document.getElementById( PORTLET ) ) {
				// Nowhere to show the link (Minerva outside user and user talk pages): ask nothing.
				mw.log( '[outreach-staff] no ' + PORTLET + ' portlet on this page: nothing asked' );
				return null;
			}
			setDefaultMessages();
			// Request 1: is there anything to show? Request 2, only then: the staff,
			// fetched now so the dialog opens at once, and kept for every later click.
			return getJSON( userUrl( api, user, 'status' ) );
		} ).then( function ( status ) {
			// Courses the status could not read yet (a cold page view under load: they
			// are on their way) may be active: the staff answer reads them, so ask it.
			var maybeActive = status && ( status.active_course_count > 0 ||
				status.unreadable_courses > 0 );
			if ( !maybeActive ) {
				return null;
			}
			return getJSON( userUrl( api, user, 'active-staff' ) ).then( function ( data ) {
				if ( !data || !Array.isArray( data.courses ) || data.courses.length === 0 ) {
					return null;
				}
				mw.util.addCSS( STYLES );
				addLink( user, onlyUsernames( data ) );
			} );
		} );
	}

	mw.loader.using( [ 'mediawiki.util' ] ).then( main ).catch( function ( error ) {
		warn( 'not shown:', error );
	} );
}() );
