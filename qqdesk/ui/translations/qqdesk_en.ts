<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>Tray</name>
    <message numerus="yes">
        <location filename="../tray.py" line="+72"/>
        <source>qqdesk — %n unread message(s)</source>
        <translation>
            <numerusform>qqdesk — %n unread message</numerusform>
            <numerusform>qqdesk — %n unread messages</numerusform>
        </translation>
    </message>
</context>
</TS>
