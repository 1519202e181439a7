/**
 * A minimal stand-in for MediaWiki's `mw` object, for the gadgets' demo page only.
 *
 * It implements, with MediaWiki's behaviour, just what outreach-staff.js and
 * outreach-participants.js use: mw.config (get/set/exists), mw.messages
 * (get/set/exists), mw.message().text(), mw.hook (add/remove/fire, with memory),
 * mw.util (addPortletLink, getUrl, wikiScript, wikiUrlencode, isIPAddress,
 * addCSS), mw.loader (using, load, require) and mw.log (warn). The page's
 * configuration is read from the JSON in <script type="application/json"
 * id="mw-demo-config"> (the service writes it, wgServerName included: the wiki
 * the page plays, from the demo's ?wiki=), plus outreachStaffApi: this page's
 * origin, the service that serves the demo.
 *
 * It also plays three things MediaWiki does around gadgets: it runs package
 * gadgets as ResourceLoader does (mw-demo-packages: each script with its
 * package's files, as function ( require, module, exports )); it fires
 * wikipage.content on #mw-content-text once the page is ready (mediawiki.page.ready);
 * and "Show new changes" replaces the list of recent changes with the server's
 * list, one edit newer, then fires wikipage.content on it, as the structured
 * filters of Special:RecentChanges do (ChangesListWrapperWidget).
 */
( function () {
	'use strict';

	function ConfigMap( values ) {
		this.values = Object.assign( Object.create( null ), values || {} );
	}
	ConfigMap.prototype.get = function ( key, fallback ) {
		if ( key === undefined ) {
			return Object.assign( {}, this.values );
		}
		return key in this.values ? this.values[ key ] : ( fallback === undefined ? null : fallback );
	};
	ConfigMap.prototype.set = function ( key, value ) {
		if ( typeof key === 'object' ) {
			Object.assign( this.values, key );
		} else {
			this.values[ key ] = value;
		}
		return true;
	};
	ConfigMap.prototype.exists = function ( key ) {
		return key in this.values;
	};

	const configNode = document.getElementById( 'mw-demo-config' );
	const config = new ConfigMap( configNode ? JSON.parse( configNode.textContent ) : {} );
	// Not MediaWiki's: the demo page is served by the service itself, so the gadget's
	// API is this page's own origin, as a wiki would set it with mw.config.set().
	if ( !config.exists( 'outreachStaffApi' ) ) {
		config.set( 'outreachStaffApi', window.location.origin );
	}
	const messages = new ConfigMap();

	function Message( key, params ) {
		this.key = key;
		this.params = params;
	}
	Message.prototype.exists = function () {
		return messages.exists( this.key );
	};
	// Without mediawiki.jqueryMsg, MediaWiki's text() and plain() replace $1, $2... only.
	Message.prototype.plain = function () {
		if ( !this.exists() ) {
			return '⧼' + this.key + '⧽';
		}
		const params = this.params;
		return messages.get( this.key ).replace( /\$(\d+)/g, ( all, n ) =>
			params[ n - 1 ] !== undefined ? String( params[ n - 1 ] ) : all
		);
	};
	Message.prototype.text = Message.prototype.plain;

	function wikiUrlencode( str ) {
		return encodeURIComponent( String( str ) )
			.replace( /'/g, '%27' ).replace( /%20/g, '_' ).replace( /%3B/g, ';' )
			.replace( /%40/g, '@' ).replace( /%24/g, '$' ).replace( /%2C/g, ',' )
			.replace( /%2F/g, '/' ).replace( /%3A/g, ':' );
	}

	const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\/(?:3[0-2]|[12]?\d))?$/;
	const IPV6 = /^[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?:\/(?:12[0-8]|1[01]\d|\d?\d))?$/;

	// mw.hook: handlers added after a fire are called at once with its arguments ("memory").
	const hooks = Object.create( null );
	function hook( name ) {
		if ( !hooks[ name ] ) {
			const handlers = [];
			let memory = null;
			hooks[ name ] = {
				add: function ( ...fns ) {
					fns.forEach( ( fn ) => {
						handlers.push( fn );
						if ( memory ) {
							fn( ...memory );
						}
					} );
					return this;
				},
				remove: function ( ...fns ) {
					fns.forEach( ( fn ) => {
						const at = handlers.indexOf( fn );
						if ( at !== -1 ) {
							handlers.splice( at, 1 );
						}
					} );
					return this;
				},
				fire: function ( ...args ) {
					memory = args;
					handlers.slice().forEach( ( fn ) => fn( ...args ) );
					return this;
				}
			};
		}
		return hooks[ name ];
	}

	const log = function ( ...args ) {
		console.log( ...args ); // eslint-disable-line no-console
	};
	log.warn = function ( ...args ) {
		console.warn( ...args ); // eslint-disable-line no-console
	};
	log.error = function ( ...args ) {
		console.error( ...args ); // eslint-disable-line no-console
	};

	window.mw = {
		config: config,
		messages: messages,
		message: function ( key, ...params ) {
			return new Message( key, params );
		},
		msg: function ( key, ...params ) {
			return new Message( key, params ).text();
		},
		log: log,
		hook: hook,
		loader: {
			using: function () {
				return Promise.resolve();
			},
			// No module but the page's own is ever loaded here.
			require: function ( moduleName ) {
				throw new Error( 'Module "' + moduleName + '" is not loaded' );
			},
			load: function ( url ) {
				const script = document.createElement( 'script' );
				script.src = url;
				document.head.appendChild( script );
			}
		},
		util: {
			wikiUrlencode: wikiUrlencode,
			wikiScript: function ( str ) {
				return config.get( 'wgScriptPath' ) + '/' + ( str || 'index' ) + '.php';
			},
			getUrl: function ( title, params ) {
				const page = title === undefined ? config.get( 'wgPageName' ) : title;
				let url = config.get( 'wgArticlePath' ).replace( '$1', () => wikiUrlencode( page ) );
				const query = params ? new URLSearchParams( params ).toString() : '';
				if ( query ) {
					url += ( url.indexOf( '?' ) === -1 ? '?' : '&' ) + query;
				}
				return url;
			},
			isIPAddress: function ( address, allowBlock ) {
				const value = String( address || '' ).trim();
				if ( !allowBlock && value.indexOf( '/' ) !== -1 ) {
					return false;
				}
				return IPV4.test( value ) || ( IPV6.test( value ) && value.split( ':' ).length >= 3 );
			},
			addCSS: function ( text ) {
				const style = document.createElement( 'style' );
				style.textContent = text;
				document.head.appendChild( style );
				return style.sheet;
			},
			// As in MediaWiki: <li id class="mw-list-item"><a href title><span>text</span></a></li>,
			// appended to the portlet's list; null when the skin has no such portlet.
			addPortletLink: function ( portletId, href, text, id, tooltip, accesskey, nextnode ) {
				const portlet = document.getElementById( portletId );
				if ( !portlet ) {
					return null;
				}
				const list = portlet.querySelector( 'ul' );
				if ( !list ) {
					return null;
				}
				if ( id && document.getElementById( id ) ) {
					return null;
				}
				const item = document.createElement( 'li' );
				item.className = 'mw-list-item';
				if ( id ) {
					item.id = id;
				}
				const link = document.createElement( 'a' );
				link.href = href;
				const label = document.createElement( 'span' );
				label.textContent = text;
				link.appendChild( label );
				if ( tooltip ) {
					link.title = tooltip;
				}
				if ( accesskey ) {
					link.accessKey = accesskey;
				}
				item.appendChild( link );
				const before = typeof nextnode === 'string' ? list.querySelector( nextnode ) : nextnode;
				if ( before && before.parentNode === list ) {
					list.insertBefore( item, before );
				} else {
					list.appendChild( item );
				}
				return item;
			}
		}
	};

	// ResourceLoader's package modules: the first script runs as function ( require, module,
	// exports ); require( './NAME' ) gives the package's file NAME, or throws as RL does.
	function runPackage( script, files ) {
		return fetch( script ).then( ( response ) => response.text() ).then( ( source ) => {
			const module = { exports: {} };
			const require = function ( name ) {
				const relative = /^\.\/(.*)$/.exec( name );
				if ( !relative ) {
					return window.mw.loader.require( name );
				}
				if ( !Object.prototype.hasOwnProperty.call( files, relative[ 1 ] ) ) {
					throw new Error( 'Cannot require undefined file ' + relative[ 1 ] );
				}
				return files[ relative[ 1 ] ];
			};
			// eslint-disable-next-line no-new-func
			new Function( 'require', 'module', 'exports', source )( require, module, module.exports );
		} );
	}

	// The structured filters' update: the server's list, newer edits first, then the hook.
	function playNewChanges() {
		const list = document.querySelector( '.mw-changeslist' );
		const button = document.getElementById( 'demo-new-changes' );
		if ( !list || !button ) {
			return;
		}
		const served = list.innerHTML; // as the server sent it, before any gadget ran
		let newer = 0;
		button.addEventListener( 'click', () => {
			newer += 1;
			const fresh = document.createElement( 'div' );
			fresh.innerHTML = served;
			const rows = fresh.querySelector( 'ul' );
			for ( let i = 0; i < newer; i++ ) {
				const row = rows.firstElementChild.cloneNode( true );
				row.setAttribute( 'data-mw-ts', String( 20261122130000 + newer - i ) );
				rows.insertBefore( row, rows.firstElementChild );
			}
			list.replaceChildren( ...fresh.childNodes );
			hook( 'wikipage.content' ).fire( [ list ] );
		} );
	}

	const packagesNode = document.getElementById( 'mw-demo-packages' );
	const packages = packagesNode ? JSON.parse( packagesNode.textContent ) : {};
	document.addEventListener( 'DOMContentLoaded', () => {
		playNewChanges();
		const content = document.getElementById( 'mw-content-text' );
		if ( content ) {
			hook( 'wikipage.content' ).fire( [ content ] );
		}
		Object.keys( packages ).forEach( ( script ) => {
			runPackage( script, packages[ script ] ).catch( ( error ) => log.error( script, error ) );
		} );
	} );
}() );
