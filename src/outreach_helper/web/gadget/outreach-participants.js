/**
 * Outreach course participants: a MediaWiki gadget.
 *
 * On Special:RecentChanges, Special:Watchlist, page histories (action=history),
 * Special:Contributions, Special:Log and Special:NewPages, gives every user link
 * (a.mw-userlink) of a participant of the wiki's campaigns the class
 * "outreach-participant", and puts after it a small marker whose tooltip names
 * each of their active courses in those campaigns, their role in it and its
 * dashboard. Rows that arrive later (live updates and "show new changes" of the
 * recent changes filters, which fire the wikipage.content hook; anything else
 * through a MutationObserver) are marked too; marking a link again changes nothing.
 *
 * The wiki names its campaigns in MediaWiki:Gadget-outreach-staff.json:
 *   { "campaigns": [ "outreach:studenti", "wikiedu:fall_2026" ] }
 * (a dashboard's name as the service knows it, a colon, the campaign's slug). In a
 * package gadget that lists the page (MediaWiki 1.38 and later) the script reads it
 * with require(); run any other way (a personal copy in common.js) it asks the
 * wiki's api.php for the page, once per page view, cacheably and without cookies.
 *
 * Requests: none on other pages, and none at all when no campaign is named; on the
 * pages above, one per campaign (the service's participants of its active courses,
 * the same URL for every reader, so any cache may answer it), without cookies.
 * Nothing is asked about a user. An entry of the configuration that is not
 * DASHBOARD:CAMPAIGN is skipped with a console message; errors are logged to the
 * console, never shown to readers.
 *
 * Setup, translation and configuration: GADGET.md of outreach-dashboard-helper.
 * Styles: MediaWiki:Gadget-outreach-participants.css (a wiki restyles the marker and
 * the marked links there). Dependencies: mediawiki.util. Syntax: ES5 only, because
 * MediaWiki 1.39 checks a gadget's pages as ES5, package gadgets included, and
 * replaces a script with later syntax (const, arrow functions) by a parse error.
 */
( function () {
	'use strict';

	// Filled in by the service that serves this file (a JSON string literal): the API
	// from its OUTREACH_PUBLIC_URL, or null when that is unset. A wiki may set or
	// override it with mw.config.set( 'outreachStaffApi', 'https://...' ).
	var SERVED_API = /*@OUTREACH_API_BASE@*/null;
	var TIMEOUT_MS = 10000;
	var PREFIX = 'outreach-participants';
	var LINK_CLASS = 'outreach-participant';
	var MARKER_CLASS = 'outreach-participant-marker';
	// The wiki's campaigns: this page, listed in the gadget's definition as a package file.
	var CONFIG_PAGE = 'MediaWiki:Gadget-outreach-staff.json';
	var CONFIG_FILE = './outreach-staff.json';
	// Read through api.php (no package), cached this many seconds by browsers and the CDN.
	var CONFIG_MAX_AGE = 300;
	// Pages a package gadget lists after this one: only its first script runs by itself.
	var OPTIONAL_FILES = [ './outreach-staff-config.js', './outreach-staff-i18n.js' ];
	var MAX_CAMPAIGNS = 10;
	// Campaign answers asked at once: the service gives one reader two in progress
	// (OUTREACH_BULK_ANSWERS_PER_CLIENT) and refuses a third until one is done.
	var IN_FLIGHT = 2;
	// The pages that list edits by many users (wgCanonicalSpecialPageName), and histories.
	var SPECIAL_PAGES = [ 'Recentchanges', 'Watchlist', 'Contributions', 'Log', 'Newpages' ];
	// A dashboard as the service names it (OUTREACH_DASHBOARDS).
	var DASHBOARD_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
	// A campaign slug as the dashboard makes it: letters of any script, 0-9 and "_".
	var CAMPAIGN_SLUG = ( function () {
		try {
			return new RegExp( '^(?:\\p{L}|[0-9_])+$', 'u' );
		} catch ( e ) { // no Unicode property escapes: anything but ASCII punctuation and spaces
			return /^[^\s!-\/:-@\[-\^`{-~]+$/;
		}
	}() );
	// What titles read as white space is one space in a username.
	var TITLE_SPACES = /[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
	var ROLES = [ 'student', 'instructor', 'campus_volunteer', 'online_volunteer', 'staff' ];
	// The dashboards known by name (their message keys); any other is shown by its host.
	var KNOWN_DASHBOARDS = {
		'outreachdashboard.wmflabs.org': 'outreach-participants-dashboard-outreach',
		'dashboard.wikiedu.org': 'outreach-participants-dashboard-wikiedu'
	};

	// English defaults; a wiki translates them with mw.messages.set() before this runs.
	var MESSAGES = {
		'outreach-participants-marker': 'course',
		'outreach-participants-tooltip': 'Active dashboard courses of $1:',
		'outreach-participants-course': '$1: $2, $3',
		'outreach-participants-role-student': 'student',
		'outreach-participants-role-instructor': 'instructor',
		'outreach-participants-role-campus_volunteer': 'campus volunteer',
		'outreach-participants-role-online_volunteer': 'online volunteer',
		'outreach-participants-role-staff': 'staff',
		'outreach-participants-role-other': 'participant',
		'outreach-participants-dashboard-outreach': 'Outreach Dashboard',
		'outreach-participants-dashboard-wikiedu': 'Wiki Education Dashboard'
	};

	// Who is in which course: username -> [ { order, text } ], from every campaign read.
	var known = Object.create( null );

	/** `map[ key ]` if `map` has it as its own property, else null (never Object.prototype's). */
	function own( map, key ) {
		return map && Object.prototype.hasOwnProperty.call( map, key ) ? map[ key ] : null;
	}

	function warn() {
		var args = Array.prototype.slice.call( arguments );
		mw.log.warn.apply( mw.log, [ '[' + PREFIX + ']' ].concat( args ) );
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

	function apiBase() {
		var base = mw.config.get( 'outreachStaffApi' ) || SERVED_API;
		return base ? String( base ).replace( /\/+$/, '' ) : null;
	}

	/** Whether this page lists edits by many users: the pages this gadget marks. */
	function listsEdits() {
		return mw.config.get( 'wgAction' ) === 'history' ||
			SPECIAL_PAGES.indexOf( mw.config.get( 'wgCanonicalSpecialPageName' ) ) !== -1;
	}

	/**
	 * This package's require(), or null where the script does not run as a package
	 * gadget: a gadget's plain script gets mw.loader.require, common.js none at all.
	 */
	function packageRequire() {
		/* global require */
		if ( typeof require !== 'function' || require === mw.loader.require ) {
			return null;
		}
		return require;
	}

	/** A file of this package, or null when the gadget's definition does not list it. */
	function packageFile( load, name ) {
		try {
			return load( name );
		} catch ( error ) {
			if ( !/^Cannot require undefined file/.test( String( error && error.message ) ) ) {
				warn( name + ' failed:', error );
			}
			return null;
		}
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
	 * The content of MediaWiki:Gadget-outreach-staff.json, parsed; null where the page
	 * does not exist. From the package where there is one, else from api.php: one
	 * request, the same for every reader (no cookies), kept CONFIG_MAX_AGE seconds.
	 */
	function wikiConfig( load ) {
		if ( load ) {
			return Promise.resolve( packageFile( load, CONFIG_FILE ) );
		}
		var url = mw.util.wikiScript( 'api' ) + '?' + [
			'action=query', 'format=json', 'formatversion=2', 'prop=revisions',
			'rvprop=content', 'rvslots=main', 'titles=' + encodeURIComponent( CONFIG_PAGE ),
			'maxage=' + CONFIG_MAX_AGE, 'smaxage=' + CONFIG_MAX_AGE
		].join( '&' );
		return getJSON( url ).then( function ( body ) {
			var pages = body && body.query && body.query.pages;
			var revision = Array.isArray( pages ) && pages[ 0 ] && pages[ 0 ].revisions &&
				pages[ 0 ].revisions[ 0 ];
			var main = revision && revision.slots && revision.slots.main;
			return main && typeof main.content === 'string' ? JSON.parse( main.content ) : null;
		} );
	}

	/**
	 * The configuration's campaigns as { dashboard, slug, order }, each once and at most
	 * MAX_CAMPAIGNS; an entry that is not DASHBOARD:CAMPAIGN is skipped with a message.
	 */
	function campaignsOf( config ) {
		var listed = config && typeof config === 'object' ? config.campaigns : undefined;
		var found = [];
		var seen = Object.create( null );
		if ( listed === undefined || listed === null ) {
			if ( config !== null && config !== undefined ) {
				warn( CONFIG_PAGE + ' names no "campaigns"' );
			}
			return found;
		}
		if ( !Array.isArray( listed ) ) {
			warn( CONFIG_PAGE + ': "campaigns" must be a list of "DASHBOARD:CAMPAIGN"' );
			return found;
		}
		listed.forEach( function ( entry ) {
			var parts = typeof entry === 'string' ? /^([^:]*):(.*)$/.exec( entry.trim() ) : null;
			var slug = parts ? parts[ 2 ].toLowerCase() : '';
			if ( !parts || !DASHBOARD_NAME.test( parts[ 1 ] ) || !CAMPAIGN_SLUG.test( slug ) ) {
				warn( 'skipped ' + JSON.stringify( entry ) + ' in ' + CONFIG_PAGE +
					': not "DASHBOARD:CAMPAIGN" (such as "outreach:studenti")' );
				return;
			}
			var key = parts[ 1 ] + ':' + slug;
			if ( seen[ key ] ) {
				return;
			}
			seen[ key ] = true;
			if ( found.length === MAX_CAMPAIGNS ) {
				warn( 'skipped ' + key + ' in ' + CONFIG_PAGE + ': at most ' + MAX_CAMPAIGNS +
					' campaigns are read' );
				return;
			}
			found.push( { dashboard: parts[ 1 ], slug: slug, order: found.length } );
		} );
		return found;
	}

	function participantsUrl( api, campaign ) {
		return api + '/api/campaigns/' + encodeURIComponent( campaign.slug ) +
			'/participants?dashboard=' + encodeURIComponent( campaign.dashboard );
	}

	/** A name as MediaWiki shows a username: white space as single spaces, NFC. */
	function nameOf( text ) {
		if ( typeof text !== 'string' ) {
			return '';
		}
		var name = text.replace( TITLE_SPACES, ' ' ).replace( /^ | $/g, '' );
		return name.normalize ? name.normalize( 'NFC' ) : name;
	}

	/** What a course's dashboard is called: a known one by name, any other by its host. */
	function dashboardLabel( url, dashboard ) {
		var host = null;
		try { // no base: a relative or protocol-relative URL throws
			var parsed = new URL( String( url ) );
			if ( parsed.protocol === 'http:' || parsed.protocol === 'https:' ) {
				host = parsed.host;
			}
		} catch ( e ) {
			host = null;
		}
		if ( host ) {
			var key = own( KNOWN_DASHBOARDS, host.toLowerCase() );
			return key ? msg( key ) : host;
		}
		return typeof dashboard === 'string' && DASHBOARD_NAME.test( dashboard ) ? dashboard : '';
	}

	function roleLabel( role ) {
		return msg( PREFIX + '-role-' + ( ROLES.indexOf( role ) === -1 ? 'other' : role ) );
	}

	/** Note who is in which course of `campaign`, from the service's answer. */
	function remember( campaign, body ) {
		var name = campaign.dashboard + ':' + campaign.slug;
		if ( !body || !Array.isArray( body.participants ) ) {
			warn( 'campaign ' + name + ': not an answer with participants' );
			return;
		}
		if ( body.complete === false ) {
			warn( 'campaign ' + name + ': the dashboard may have left out some of its courses' );
		}
		body.participants.forEach( function ( row ) {
			var user = nameOf( row && row.username );
			if ( !user || typeof row.course_title !== 'string' ) {
				return;
			}
			var text = msg( PREFIX + '-course', row.course_title, roleLabel( row.role ),
				dashboardLabel( row.url, body.dashboard ) );
			var entries = known[ user ] || ( known[ user ] = [] );
			if ( entries.some( function ( entry ) {
				return entry.text === text;
			} ) ) {
				return; // the same course in two campaigns
			}
			entries.push( { order: campaign.order, text: text } );
			entries.sort( function ( a, b ) {
				return a.order - b.order || ( a.text < b.text ? -1 : a.text > b.text ? 1 : 0 );
			} );
		} );
	}

	/**
	 * Mark one user link if its user is a participant: its class, and the marker right
	 * after it with every course known so far. Again, it only brings the tooltip up to date.
	 */
	function markLink( link ) {
		var user = nameOf( link.textContent );
		var entries = user && own( known, user );
		if ( !entries ) {
			return;
		}
		var title = [ msg( PREFIX + '-tooltip', user ) ].concat( entries.map( function ( entry ) {
			return entry.text;
		} ) ).join( '\n' );
		var marker = link.nextSibling;
		if ( !marker || marker.nodeType !== 1 || !marker.classList.contains( MARKER_CLASS ) ) {
			marker = document.createElement( 'span' );
			marker.className = MARKER_CLASS;
			marker.appendChild( document.createTextNode( msg( PREFIX + '-marker' ) ) );
			link.parentNode.insertBefore( marker, link.nextSibling );
		}
		if ( marker.getAttribute( 'title' ) !== title ) {
			marker.setAttribute( 'title', title );
		}
		link.classList.add( LINK_CLASS );
	}

	/** Mark the user links in `root` (an element, or the document), `root` included. */
	function markWithin( root ) {
		if ( !root || ( root.nodeType !== 1 && root.nodeType !== 9 ) ) {
			return;
		}
		if ( root.nodeType === 1 && root.matches( 'a.mw-userlink' ) ) {
			markLink( root );
		}
		Array.prototype.forEach.call( root.querySelectorAll( 'a.mw-userlink' ), markLink );
	}

	/** wikipage.content's handler: MediaWiki passes a jQuery object (array-like). */
	function onContent( $content ) {
		for ( var i = 0; $content && i < $content.length; i++ ) {
			markWithin( $content[ i ] );
		}
	}

	/** Rows added without the hook (by other scripts): marked as they come. */
	function watchLaterRows() {
		if ( typeof MutationObserver !== 'function' ) {
			return;
		}
		var root = document.getElementById( 'mw-content-text' ) || document.body;
		new MutationObserver( function ( records ) {
			records.forEach( function ( record ) {
				Array.prototype.forEach.call( record.addedNodes, markWithin );
			} );
		} ).observe( root, { childList: true, subtree: true } );
	}

	/** `work( item )` for each item, at most `limit` at a time; `work` never fails. */
	function eachAtMost( items, limit, work ) {
		var next = 0;
		function worker() {
			if ( next >= items.length ) {
				return Promise.resolve();
			}
			var item = items[ next ];
			next += 1;
			return work( item ).then( worker );
		}
		var workers = [];
		while ( workers.length < Math.min( limit, items.length ) ) {
			workers.push( worker() );
		}
		return Promise.all( workers );
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
		if ( mw.config.get( 'outreachParticipantsLoaded' ) ) {
			return null; // loaded twice (gadget and common.js): run once
		}
		mw.config.set( 'outreachParticipantsLoaded', true );
		if ( !listsEdits() ) {
			return null;
		}
		var load = packageRequire();
		if ( load ) {
			OPTIONAL_FILES.forEach( function ( name ) {
				packageFile( load, name );
			} );
		}
		var api = apiBase();
		if ( !api ) {
			warn( 'no API base URL: set mw.config outreachStaffApi' );
			return null;
		}
		setDefaultMessages();
		return wikiConfig( load ).then( function ( config ) {
			var campaigns = campaignsOf( config );
			if ( !campaigns.length ) {
				mw.log( '[' + PREFIX + '] no campaign named in ' + CONFIG_PAGE + ': nothing asked' );
				return null;
			}
			return domReady().then( function () {
				mw.hook( 'wikipage.content' ).add( onContent );
				watchLaterRows();
				// One request per campaign; each marks what it knows as soon as it is answered.
				return eachAtMost( campaigns, IN_FLIGHT, function ( campaign ) {
					return getJSON( participantsUrl( api, campaign ) ).then( function ( body ) {
						remember( campaign, body );
						markWithin( document );
					}, function ( error ) {
						warn( 'campaign ' + campaign.dashboard + ':' + campaign.slug + ' not read:', error );
					} );
				} );
			} );
		} );
	}

	mw.loader.using( [ 'mediawiki.util' ] ).then( main ).catch( function ( error ) {
		warn( 'not shown:', error );
	} );
}() );
