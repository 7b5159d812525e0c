// "Start at login". macOS and Windows use Electron's login item settings (main.ts); Linux desktops
// read ~/.config/autostart/*.desktop (the XDG autostart spec), which this module writes.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const HIDDEN_ARG = '--hidden';

export function xdgConfigHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_CONFIG_HOME || join(homedir(), '.config');
}

export function linuxAutostartPath(configHome: string): string {
  return join(configHome, 'autostart', 'omnistream.desktop');
}

/** The program to start: the AppImage file itself when run from one (its mount point changes every run). */
export function launchCommand(env: NodeJS.ProcessEnv = process.env, execPath = process.execPath): string {
  return env.APPIMAGE || execPath;
}

export function linuxAutostartEntry(command: string): string {
  const quoted = `"${command.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=OmniStream',
    'Comment=Customer messaging appliance (runs in the tray)',
    `Exec=${quoted} ${HIDDEN_ARG}`,
    'Icon=omnistream',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function isLinuxAutostart(configHome: string): boolean {
  const file = linuxAutostartPath(configHome);
  return existsSync(file) && !/X-GNOME-Autostart-enabled=false|^Hidden=true/m.test(readFileSync(file, 'utf8'));
}

export function setLinuxAutostart(enabled: boolean, configHome: string, command: string): void {
  const file = linuxAutostartPath(configHome);
  if (!enabled) return rmSync(file, { force: true });
  mkdirSync(join(configHome, 'autostart'), { recursive: true });
  writeFileSync(file, linuxAutostartEntry(command));
}
