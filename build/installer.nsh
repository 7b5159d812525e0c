; NSIS additions for the Windows installer: a Windows Firewall rule so agents' phones and PCs on
; the office network can open OmniStream (TCP 3000, private networks only), removed on uninstall.
!macro customInstall
  nsExec::Exec 'netsh advfirewall firewall delete rule name="OmniStream (LAN)"'
  nsExec::Exec 'netsh advfirewall firewall add rule name="OmniStream (LAN)" dir=in action=allow protocol=TCP localport=3000 profile=private'
  nsExec::Exec 'netsh advfirewall firewall add rule name="OmniStream (LAN)" dir=in action=allow protocol=UDP localport=5353 profile=private'
!macroend

!macro customUnInstall
  nsExec::Exec 'netsh advfirewall firewall delete rule name="OmniStream (LAN)"'
!macroend
