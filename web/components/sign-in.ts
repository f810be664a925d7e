import { html, LitElement } from 'lit';
import { signInStyles } from './sign-in.styles.ts';

/** Fired (bubbling, composed) with the pasted token when the user signs in. */
export const SIGN_IN_EVENT = 'tw-sign-in';
/** Fired (bubbling, composed) when the user signs out. */
export const SIGN_OUT_EVENT = 'tw-sign-out';

/**
 * The desk's sign-in form: paste a token (a deployment's login page hands one over the same way,
 * with `#token=`). The page keeps it in localStorage and exchanges it for a ticket per connection.
 */
export class SignIn extends LitElement {
  static override styles = signInStyles;

  private onSubmit(ev: SubmitEvent): void {
    ev.preventDefault();
    const field = this.renderRoot.querySelector('textarea');
    const token = field?.value.trim() ?? '';
    if (token === '') return;
    field!.value = '';
    this.dispatchEvent(new CustomEvent(SIGN_IN_EVENT, { detail: token, bubbles: true, composed: true }));
  }

  override render(): unknown {
    return html`<form @submit=${this.onSubmit} data-testid="sign-in">
      <label for="token">Paste your access token</label>
      <textarea id="token" name="token" autocomplete="off" spellcheck="false"></textarea>
      <button type="submit">Sign in</button>
    </form>`;
  }
}

customElements.define('tw-sign-in', SignIn);
