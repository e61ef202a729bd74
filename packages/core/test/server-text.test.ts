import { describe, expect, it } from 'vitest';
import { escapeControls, safeErrorUri } from '../src/server-text.ts';

describe('escapeControls', () => {
  it('escapes every C0 and C1 control and DEL as \\xNN, and nothing else', () => {
    expect(escapeControls('\u0000a\u0009b\u001f')).toBe('\\x00a\\x09b\\x1f');
    expect(escapeControls('\u007f\u0080\u009f')).toBe('\\x7f\\x80\\x9f');
    const printable = ' ~!"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}\u00a0\u00ff é ü € 漢 😀';
    expect(escapeControls(printable)).toBe(printable);
    expect(escapeControls('line 1\r\nline 2\r\n')).toBe('line 1\\x0d\\x0aline 2\\x0d\\x0a');
  });
});

describe('safeErrorUri', () => {
  it('keeps an https: or http: URL as it was given, its controls escaped', () => {
    expect(safeErrorUri('https://docs.example/errors#invalid_client')).toBe(
      'https://docs.example/errors#invalid_client',
    );
    expect(safeErrorUri('http://docs.example/e')).toBe('http://docs.example/e');
    expect(safeErrorUri('HTTPS://Docs.Example/E')).toBe('HTTPS://Docs.Example/E');
    expect(safeErrorUri('https://docs.example/\u001b[2J')).toBe('https://docs.example/\\x1b[2J');
  });

  it('drops anything else: other schemes, relative or broken URLs, nothing at all', () => {
    for (const uri of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'ftp://docs.example/e',
      'file:///etc/passwd',
      '/errors/invalid_client',
      'docs.example/e',
      '',
      undefined,
    ]) {
      expect(safeErrorUri(uri), String(uri)).toBeUndefined();
    }
  });
});
