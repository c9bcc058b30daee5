# register.ps1: register (or with -Uninstall, unregister) ecm-host for Chrome, Chromium, Edge and Firefox on
# Windows, per user (HKCU, no admin) or per machine (HKLM, admin). Brave and Vivaldi read Chrome's keys.
# The MSI (ecert-manager.wxs) does the same per machine; this script is for per-user and portable installs.
#   powershell -ExecutionPolicy Bypass -File register.ps1 [-Scope User|Machine] [-InstallDir DIR] [-Uninstall]
# InstallDir must hold ecm-host.exe; the manifests are written there; config.json is looked for in
# %APPDATA%\ecert-manager, then %PROGRAMDATA%\ecert-manager, then beside ecm-host.exe.
param(
	[ValidateSet('User', 'Machine')] [string] $Scope = 'User',
	[string] $InstallDir = (Join-Path $env:LOCALAPPDATA 'ecert-manager'),
	[switch] $Uninstall
)
$ErrorActionPreference = 'Stop'
$Name = 'org.ecertmanager.host'
$Hive = if ($Scope -eq 'Machine') { 'HKLM:' } else { 'HKCU:' }
$Keys = @{
	'chrome'  = @('Software\Google\Chrome\NativeMessagingHosts', 'Software\Chromium\NativeMessagingHosts',
	              'Software\Microsoft\Edge\NativeMessagingHosts')
	'firefox' = @('Software\Mozilla\NativeMessagingHosts')
}

if ($Uninstall) {
	foreach ($kind in $Keys.Keys) {
		foreach ($k in $Keys[$kind]) {
			$path = "$Hive\$k\$Name"
			if (Test-Path $path) { Remove-Item -Path $path -Recurse }
		}
		$m = Join-Path $InstallDir "$Name.$kind.json"
		if (Test-Path $m) { Remove-Item $m }
	}
	Write-Output "e-Cert Manager unregistered ($Scope)."
	exit 0
}

$InstallDir = (Resolve-Path $InstallDir).Path
$host_exe = Join-Path $InstallDir 'ecm-host.exe'
if (-not (Test-Path $host_exe -PathType Leaf)) { throw "no ecm-host.exe in $InstallDir" }
$templates = @((Join-Path $PSScriptRoot '..\..\manifests'), (Join-Path $InstallDir 'manifests')) |
	Where-Object { Test-Path (Join-Path $_ "$Name.chrome.json.in") } | Select-Object -First 1
if (-not $templates) { throw "manifest templates ($Name.*.json.in) not found" }

foreach ($kind in $Keys.Keys) {
	$json = (Get-Content -Raw (Join-Path $templates "$Name.$kind.json.in")).Replace('@HOST_PATH@', $host_exe.Replace('\', '\\'))
	$null = $json | ConvertFrom-Json   # refuses a broken manifest before the browsers see it
	$m = Join-Path $InstallDir "$Name.$kind.json"
	[System.IO.File]::WriteAllText($m, $json, (New-Object System.Text.UTF8Encoding $false))
	foreach ($k in $Keys[$kind]) {
		$path = "$Hive\$k\$Name"
		$null = New-Item -Path $path -Force
		Set-ItemProperty -Path $path -Name '(default)' -Value $m
	}
}
Write-Output "e-Cert Manager registered ($Scope) for Chrome, Chromium, Edge, Brave, Vivaldi and Firefox: $InstallDir"
