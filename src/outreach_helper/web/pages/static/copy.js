/*
 * The copy button of the pages for people. The pages work without it: the
 * text to copy is in a read-only text box, selectable by hand. With script,
 * each such box gets a button that copies its text and says so in a status
 * line that screen readers announce. No inline script: the page's
 * Content-Security-Policy allows only files from its own origin.
 */
( function () {
	'use strict';

	function copyWith( area ) {
		var text = area.value;
		function fallback() {
			area.focus();
			area.select();
			var ok = false;
			try {
				ok = document.execCommand( 'copy' );
			} catch ( e ) {
				ok = false;
			}
			return ok ? Promise.resolve() : Promise.reject( new Error( 'copy failed' ) );
		}
		if ( navigator.clipboard && window.isSecureContext ) {
			return navigator.clipboard.writeText( text ).catch( fallback );
		}
		return fallback();
	}

	function addButton( area ) {
		var status = document.getElementById( area.getAttribute( 'data-copy-status' ) );
		var button = document.createElement( 'button' );
		button.type = 'button';
		button.className = 'button button-primary';
		button.textContent = area.getAttribute( 'data-copy-label' ) || 'Copy';
		button.addEventListener( 'click', function () {
			copyWith( area ).then( function () {
				if ( status ) {
					status.textContent = 'Copied to the clipboard.';
				}
			}, function () {
				if ( status ) {
					status.textContent = 'Could not copy: select the text above and copy it.';
				}
			} );
		} );
		var actions = document.createElement( 'div' );
		actions.className = 'actions';
		actions.appendChild( button );
		area.parentNode.insertBefore( actions, status || area.nextSibling );
	}

	Array.prototype.forEach.call( document.querySelectorAll( 'textarea[data-copy-status]' ), addButton );
}() );
