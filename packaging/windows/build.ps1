# Builds the Windows one-folder bundle dist\qqdesk\ with PyInstaller and reports its size.
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
#   ...\build.ps1 -Venv .venv              # reuse an existing venv
#   ...\build.ps1 -Venv .venv -SkipInstall # ...as it is
param(
    [string]$Venv = "build\venv-windows",
    [string]$Python = "py",
    [switch]$SkipInstall
)
$ErrorActionPreference = "Stop"
$Here = Split-Path -Parent $MyInvocation.MyCommand.Path
$Root = Resolve-Path (Join-Path $Here "..\..")
Set-Location $Root

$VenvPython = Join-Path $Venv "Scripts\python.exe"
if (-not (Test-Path $VenvPython)) {
    & $Python -m venv $Venv
    if ($LASTEXITCODE -ne 0) { throw "could not create the venv with '$Python'" }
}
if (-not $SkipInstall) {
    & $VenvPython -m pip install -q --upgrade pip
    & $VenvPython -m pip install -q -e ".[package]"
    if ($LASTEXITCODE -ne 0) { throw "pip install failed" }
}

& $VenvPython -m PyInstaller --noconfirm --clean `
    --distpath dist --workpath build\pyinstaller-windows `
    (Join-Path $Here "qqdesk.spec")
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

$Bundle = Join-Path $Root "dist\qqdesk"
$Files = Get-ChildItem -Recurse -File $Bundle
$Megabytes = [math]::Round(($Files | Measure-Object -Property Length -Sum).Sum / 1MB, 1)
Write-Host "bundle: $Bundle"
Write-Host "size:   $Megabytes MB ($($Files.Count) files)"
Write-Host "zip for download: Compress-Archive $Bundle dist\qqdesk-windows.zip"
