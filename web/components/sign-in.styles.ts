import { css } from 'lit';

export const signInStyles = css`
  :host {
    display: block;
    margin-top: 0.8em;
    text-align: left;
  }
  form {
    display: flex;
    flex-direction: column;
    gap: 0.4em;
  }
  label {
    font-size: 0.95em;
  }
  textarea {
    font: 0.85em var(--tw-mono, monospace);
    min-height: 4em;
    resize: vertical;
    border-radius: var(--tw-radius);
    padding: 0.3em;
  }
  button {
    align-self: flex-end;
    font: inherit;
    padding: 0.3em 1em;
    border-radius: var(--tw-radius);
    border: 1px solid currentColor;
    background: transparent;
    color: inherit;
    cursor: pointer;
  }
`;
