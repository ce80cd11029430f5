<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AccountListModel</name>
    <message numerus="yes">
        <location filename="../accounts.py" line="+121"/>
        <source>%n unread message(s)</source>
        <translation>
            <numerusform>%n unread message</numerusform>
            <numerusform>%n unread messages</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>AddBuddyDialog</name>
    <message numerus="yes">
        <location filename="../dialogs/search.py" line="+491"/>
        <source>%n user(s) found.</source>
        <translation>
            <numerusform>%n user found.</numerusform>
            <numerusform>%n users found.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>Showing the first %n user(s). Press More for the rest.</source>
        <translation>
            <numerusform>Showing the first %n user. Press More for the rest.</numerusform>
            <numerusform>Showing the first %n users. Press More for the rest.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HistorySearchWindow</name>
    <message numerus="yes">
        <location filename="../history_search.py" line="+190"/>
        <source>%n message(s) found</source>
        <translation>
            <numerusform>%n message found</numerusform>
            <numerusform>%n messages found</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message numerus="yes">
        <location filename="../tray.py" line="+97"/>
        <source>qqdesk — %n unread message(s)</source>
        <translation>
            <numerusform>qqdesk — %n unread message</numerusform>
            <numerusform>qqdesk — %n unread messages</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>UnreadMarker</name>
    <message numerus="yes">
        <location filename="../unread.py" line="+56"/>
        <source>%n unread message(s)</source>
        <translation>
            <numerusform>%n unread message</numerusform>
            <numerusform>%n unread messages</numerusform>
        </translation>
    </message>
</context>
</TS>
