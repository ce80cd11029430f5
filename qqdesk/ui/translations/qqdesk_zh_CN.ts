<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AccountListModel</name>
    <message>
        <location filename="../accounts.py" line="+117"/>
        <source>{account} — {status}</source>
        <translation>{account} — {status}</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n unread message(s)</source>
        <translation>
            <numerusform>%n 条未读消息</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>AccountsWindow</name>
    <message>
        <location line="-64"/>
        <source>{nick} ({number})</source>
        <extracomment>One of my accounts, in chat titles, notices and the Switch account menu.</extracomment>
        <translation>{nick}（{number}）</translation>
    </message>
    <message>
        <location line="+155"/>
        <source>qqdesk</source>
        <translation>qqdesk</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Add &amp;account…</source>
        <translation>添加账号(&amp;A)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;witch account</source>
        <translation>切换账号(&amp;W)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <location line="+176"/>
        <source>{title}: {body}</source>
        <extracomment>An in-window notice about another account: &quot;Message from Bob (for Ann): hello&quot;.</extracomment>
        <translation>{title}：{body}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Not signed in again: {numbers}.</source>
        <translation>未能自动登录：{numbers}。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sign in…</source>
        <translation>登录…</translation>
    </message>
</context>
<context>
    <name>AddBuddyDialog</name>
    <message>
        <location filename="../dialogs/search.py" line="+264"/>
        <location line="+75"/>
        <location line="+28"/>
        <source>Add Friend</source>
        <translation>添加好友</translation>
    </message>
    <message>
        <location line="-99"/>
        <source>Find People</source>
        <translation>查找用户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add by Number</source>
        <translation>按号码添加</translation>
    </message>
    <message>
        <location line="+22"/>
        <location line="+2"/>
        <location line="+4"/>
        <source>Any</source>
        <translation>不限</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Search</source>
        <translation>查找</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Age:</source>
        <translation>年龄：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sex:</source>
        <translation>性别：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Province:</source>
        <translation>省份：</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+32"/>
        <source>View Profile</source>
        <translation>查看资料</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>QQ number</source>
        <translation>QQ号码</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Know their QQ number? Type it here to add them directly.</source>
        <translation>知道对方的QQ号码？在这里输入，直接加为好友。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Number:</source>
        <translation>号码：</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>A QQ number has at least 5 digits.</source>
        <translation>QQ号码至少有5位数字。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>QQ numbers go up to {largest}.</source>
        <translation>QQ号码最大为 {largest}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+146"/>
        <source>This is your own number. You cannot add yourself as a friend.</source>
        <translation>这是您自己的号码，不能加自己为好友。</translation>
    </message>
    <message>
        <location line="-65"/>
        <source>Searching…</source>
        <translation>正在查找…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Nobody matches. Try fewer conditions.</source>
        <translation>没有找到符合条件的用户，请减少查找条件再试。</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n user(s) found.</source>
        <translation>
            <numerusform>共找到 %n 位用户。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>Showing the first %n user(s). Press More for the rest.</source>
        <translation>
            <numerusform>已显示前 %n 位用户，点击“更多”查看其余的。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Enter a QQ number of 5 to 10 digits.</source>
        <translation>请输入5到10位数字的QQ号码。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>{name} is already your friend.</source>
        <translation>{name} 已经是您的好友了。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Adding {name}…</source>
        <translation>正在添加 {name}…</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{name} is now your friend.</source>
        <translation>{name} 已成为您的好友。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} asks who you are.</source>
        <translation>{name} 需要验证您的身份。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{name} does not accept friend requests.</source>
        <translation>{name} 设置了不允许任何人添加为好友。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Request sent to {name}. Waiting for their approval.</source>
        <translation>已向 {name} 发送验证请求，请等待对方同意。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No request was sent to {name}.</source>
        <translation>未向 {name} 发送验证请求。</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <location filename="../app.py" line="+447"/>
        <source>qqdesk demo</source>
        <translation>qqdesk 演示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The demo could not start: {reason}</source>
        <translation>演示无法启动：{reason}</translation>
    </message>
    <message>
        <location line="+180"/>
        <source>The qqdesk demo is already running; its window was brought to the front.</source>
        <translation>qqdesk 演示已经在运行，已把它的窗口调到前面。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>qqdesk is already running; its window was brought to the front.</source>
        <translation>qqdesk 已经在运行，已把它的窗口调到前面。</translation>
    </message>
</context>
<context>
    <name>AutoAway</name>
    <message>
        <location filename="wrapped_strings.py" line="+8"/>
        <source>Idle time comes from the desktop (GNOME idle monitor).</source>
        <translation>空闲时间来自桌面（GNOME 空闲监视器）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Idle time comes from the desktop (screen saver service).</source>
        <translation>空闲时间来自桌面（屏幕保护程序服务）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Idle time comes from the operating system.</source>
        <translation>空闲时间来自操作系统。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Idle time is not available here: auto-away cannot work.</source>
        <translation>此处无法获得空闲时间：自动离开不能工作。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The desktop does not tell idle time: only input in qqdesk&apos;s own windows counts.</source>
        <translation>桌面不提供空闲时间：只计算在 qqdesk 自己窗口中的输入。</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../widgets.py" line="+65"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>BuddyTreeModel</name>
    <message>
        <location filename="wrapped_strings.py" line="+4"/>
        <source>Discussions</source>
        <translation>讨论组</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Groups</source>
        <translation>群</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>My friends</source>
        <translation>我的好友</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Strangers</source>
        <translation>陌生人</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <location filename="../dialogs/own_profile.py" line="+510"/>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>At least {count} characters</source>
        <translation>至少 {count} 个字符</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Current password:</source>
        <translation>当前密码：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New password:</source>
        <translation>新密码：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Repeat new password:</source>
        <translation>再次输入新密码：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Change</source>
        <translation>修改</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Enter your current password.</source>
        <translation>请输入当前密码。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The new password is too short: at least {count} characters.</source>
        <translation>新密码太短：至少 {count} 个字符。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The new passwords do not match.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Changing the password…</source>
        <translation>正在修改密码…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The current password is wrong.</source>
        <translation>当前密码不正确。</translation>
    </message>
</context>
<context>
    <name>ChatTabsWindow</name>
    <message>
        <location filename="../chat.py" line="+691"/>
        <location line="+15"/>
        <source>Chats</source>
        <translation>聊天</translation>
    </message>
</context>
<context>
    <name>ChatWindow</name>
    <message>
        <location line="-408"/>
        <source>&amp;Send</source>
        <extracomment>A completer (group chats: @mentions) whose open popup takes Enter, Tab and Esc. the user is looking at this buddy chat (uin); rooms say conversationActivated the user is looking at this chat (its Conversation), buddy or room the chat closed (its Conversation) Which of my accounts the chat belongs to while several are signed in (&quot;&quot; with one).</extracomment>
        <translation>发送(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Insert a face</source>
        <extracomment>The button beside Send that opens the face (emoticon) picker.</extracomment>
        <translation>插入表情</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Faces</source>
        <translation>表情</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>This text is long: it will be sent as {count} messages.</source>
        <translation>内容较长，将分成 {count} 条消息发送。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Type a message — Ctrl+Enter sends, Enter starts a new line</source>
        <translation>输入消息 — 按 Ctrl+Enter 发送，Enter 换行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type a message — Enter sends, Shift+Enter starts a new line</source>
        <translation>输入消息 — 按 Enter 发送，Shift+Enter 换行</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Chat with {name}</source>
        <translation>与 {name} 聊天</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{title} — {account}</source>
        <extracomment>A chat&apos;s title when several accounts are signed in: &quot;Chat with Bob — Alice (10001)&quot;.</extracomment>
        <translation>{title} — {account}</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>{name} went offline</source>
        <translation>{name} 下线了</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} is busy</source>
        <translation>{name} 正在忙碌</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} is online</source>
        <translation>{name} 上线了</translation>
    </message>
    <message>
        <location line="+220"/>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Resend</source>
        <translation>重新发送(&amp;R)</translation>
    </message>
</context>
<context>
    <name>ChooseBuddiesDialog</name>
    <message>
        <location filename="../dialogs/rooms.py" line="+67"/>
        <source>Choose the friends to take part:</source>
        <extracomment>A web sign-in code: letters and digits as shown beside the QR (e.g. ABCD2345).</extracomment>
        <translation>选择参加的好友：</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>There is nobody to choose.</source>
        <translation>没有可以选择的好友。</translation>
    </message>
</context>
<context>
    <name>ContactsEditor</name>
    <message>
        <location filename="../contacts_menu.py" line="+44"/>
        <source>Set re&amp;mark…</source>
        <translation>设置备注(&amp;M)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Mo&amp;ve to</source>
        <translation>移动到(&amp;V)</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+21"/>
        <source>&amp;New category…</source>
        <translation>新建分组(&amp;N)…</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>&amp;Rename…</source>
        <translation>重命名(&amp;R)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Delete…</source>
        <translation>删除(&amp;D)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Move &amp;up</source>
        <translation>上移(&amp;U)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Move do&amp;wn</source>
        <translation>下移(&amp;W)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>My friends</source>
        <translation>我的好友</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Set remark</source>
        <translation>设置备注</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your name for {nick} ({uin}); empty shows the nickname:</source>
        <translation>你给 {nick}（{uin}）起的备注；留空则显示昵称：</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>New category</source>
        <translation>新建分组</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Name of the category:</source>
        <translation>分组名称：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Rename category</source>
        <translation>重命名分组</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Delete category</source>
        <translation>删除分组</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the category {name}? Its friends move to {default}.</source>
        <translation>删除分组“{name}”吗？其中的好友将移到“{default}”。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>CrashReporter</name>
    <message>
        <location filename="../crash.py" line="+132"/>
        <source>(no log file)</source>
        <translation>（没有日志文件）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>qqdesk ran into a problem. The log is at {path}.</source>
        <translation>qqdesk 遇到了问题。日志位于 {path}。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>qqdesk</source>
        <translation>qqdesk</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open Log Folder</source>
        <translation>打开日志文件夹</translation>
    </message>
</context>
<context>
    <name>Delegates</name>
    <message>
        <location filename="wrapped_strings.py" line="+4"/>
        <source>Not sent — click to resend</source>
        <translation>发送失败 — 点击重新发送</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
</context>
<context>
    <name>Emoji</name>
    <message>
        <location filename="../emoji.py" line="+109"/>
        <source>No colour emoji font is installed: emoji may show as boxes. Install Noto Color Emoji (fonts-noto-color-emoji) to see them.</source>
        <translation>没有安装彩色表情字体：表情符号可能显示为方框。安装 Noto Color Emoji（fonts-noto-color-emoji）即可正常显示。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Emoji are drawn with %1.</source>
        <translation>表情符号使用 %1 字体显示。</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="wrapped_strings.py" line="+4"/>
        <source>Cannot reach the server. Check the address and that the server is running.</source>
        <translation>无法连接到服务器，请检查地址并确认服务器正在运行。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cannot reach the server. Check your connection and try again.</source>
        <translation>无法连接到服务器，请检查网络后重试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Could not sign in: {reason}</source>
        <translation>登录失败：{reason}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Groups and discussions are not available on this server (it has no Smart QQ channel).</source>
        <translation>此服务器不支持群和讨论组（没有 Smart QQ 通道）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Something went wrong: {detail}</source>
        <translation>出错了：{detail}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server cannot take this right now. Try again in a little while.</source>
        <translation>服务器暂时无法处理，请稍后再试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server did not accept this request.</source>
        <translation>服务器拒绝了这个请求。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server is busy with your requests. Wait a few seconds and try again.</source>
        <translation>操作过于频繁，请稍等几秒再试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server refused: you are not a member of this group or discussion, or someone you named is not your friend.</source>
        <translation>服务器拒绝了：您不是这个群或讨论组的成员，或者您选择的人不是您的好友。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>There is no account with this number.</source>
        <translation>该号码不存在。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>There is no user with this number.</source>
        <translation>该号码不存在。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Too many attempts. Wait a little and try again.</source>
        <translation>尝试次数过多，请稍后再试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Wrong password. Check it and try again.</source>
        <translation>密码错误，请检查后重试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>You are not logged in. Log in again and retry.</source>
        <translation>您尚未登录，请重新登录后再试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Your message history cannot be saved (is the disk full?). Nothing was lost; try again when there is room.</source>
        <translation>无法保存聊天记录（磁盘是否已满？）。没有丢失任何内容，腾出空间后再试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Your message history was written by a newer qqdesk. Update qqdesk, or move this file away to start a new history: {path}</source>
        <translation>聊天记录是由更新版本的 qqdesk 写入的。请升级 qqdesk，或把这个文件移走以开始新的记录：{path}</translation>
    </message>
</context>
<context>
    <name>FaceChooser</name>
    <message>
        <location filename="../dialogs/own_profile.py" line="-470"/>
        <source>Choose a face</source>
        <translation>选择头像</translation>
    </message>
</context>
<context>
    <name>FacePicker</name>
    <message>
        <location filename="../facepicker.py" line="+97"/>
        <source>{name} ({text_form})</source>
        <extracomment>Tooltip of a face in the face picker: its name, then how it is typed (/微笑).</extracomment>
        <translation>{name}（{text_form}）</translation>
    </message>
    <message>
        <location line="+125"/>
        <source>Faces</source>
        <extracomment>The face (emoticon) picker, for screen readers.</extracomment>
        <translation>表情</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <location filename="../findbar.py" line="+125"/>
        <source>Find in this conversation</source>
        <extracomment>The history search answers at most this many (store.search&apos;s default limit).</extracomment>
        <translation>在此对话中查找</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous (older) match — Shift+Enter</source>
        <translation>上一个（更早的）匹配——Shift+Enter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next (newer) match — Enter</source>
        <translation>下一个（更新的）匹配——Enter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close the find bar — Esc</source>
        <translation>关闭查找栏——Esc</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close the find bar</source>
        <translation>关闭查找栏</translation>
    </message>
    <message>
        <location line="+152"/>
        <source>No matches</source>
        <translation>无匹配</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{current} of {total}</source>
        <translation>第 {current} 个，共 {total} 个</translation>
    </message>
</context>
<context>
    <name>HistorySearchWindow</name>
    <message>
        <location filename="../history_search.py" line="+161"/>
        <source>Search all messages</source>
        <translation>搜索全部消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search the messages kept on this computer</source>
        <translation>搜索保存在这台电脑上的消息</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Type a word or a number to search for.</source>
        <translation>输入要搜索的词语或号码。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No message contains “{text}”.</source>
        <translation>没有消息包含“{text}”。</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n message(s) found</source>
        <translation>
            <numerusform>找到 %n 条消息</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>IncomingRequestDialog</name>
    <message>
        <location filename="../dialogs/requests.py" line="+82"/>
        <source>Friend Request</source>
        <translation>好友请求</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Their message:</source>
        <translation>附加消息：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(no message)</source>
        <translation>（无附加消息）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Also add them to my friends</source>
        <translation>同时加对方为好友</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>View Profile</source>
        <translation>查看资料</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Later</source>
        <translation>稍后处理</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refuse</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Approve</source>
        <translation>同意</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>{name} wants to add you as a friend.</source>
        <translation>{name} 请求加您为好友。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>QQ number: {number}</source>
        <translation>QQ号码：{number}</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Approving…</source>
        <translation>正在同意…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Approved. Adding {name}…</source>
        <translation>已同意，正在添加 {name}…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>You approved {name}.</source>
        <translation>您已同意 {name} 的好友请求。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>You approved {name}, and they are now your friend too.</source>
        <translation>您已同意 {name} 的好友请求，对方也已成为您的好友。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>You approved {name}. To add them too, send them a request from Add Friend.</source>
        <translation>您已同意 {name} 的好友请求。对方需要验证，如需加对方为好友，请在“添加好友”中发送请求。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>You approved {name}. They do not accept friend requests themselves.</source>
        <translation>您已同意 {name} 的好友请求。对方设置了不允许任何人添加为好友。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>You approved {name}, but adding them failed: {error}</source>
        <translation>您已同意 {name} 的好友请求，但加对方为好友失败：{error}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Refusing…</source>
        <translation>正在拒绝…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>You refused {name}.</source>
        <translation>您已拒绝 {name} 的好友请求。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../login.py" line="+333"/>
        <source>Sign in to qqdesk</source>
        <translation>登录 qqdesk</translation>
    </message>
    <message>
        <location line="-138"/>
        <source>qqdesk</source>
        <extracomment>``factory(url, uin, password)``, and ``proxy=`` when the account has one (ui/proxy.py). Names a PEM file of authorities to trust for https:// servers instead of the system&apos;s (a server with a self-signed certificate: its certificate file).</extracomment>
        <translation>qqdesk</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Your QQ number</source>
        <translation>QQ号码</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Remember me</source>
        <translation>记住密码(&amp;R)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No system keyring is available, so the password cannot be kept.</source>
        <translation>系统没有可用的密钥环，无法记住密码。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Keep the password in the system keyring (never in a file).</source>
        <translation>密码保存在系统密钥环中（绝不写入文件）。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Built-in server on this computer</source>
        <translation>本机的内置服务器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other server (host:port)</source>
        <translation>其他服务器（主机:端口）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Create an account on this computer...</source>
        <translation>在本机注册新账号(&amp;C)...</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Number:</source>
        <translation>号码(&amp;N)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Status:</source>
        <translation>状态(&amp;S)：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Se&amp;rver:</source>
        <translation>服务器(&amp;R)：</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>&amp;Sign in</source>
        <translation>登录(&amp;S)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Pro&amp;xy…</source>
        <translation>代理(&amp;X)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A proxy for this number (HTTP or SOCKS5)</source>
        <translation>此号码使用的代理（HTTP 或 SOCKS5）</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Add an account to qqdesk</source>
        <translation>添加 qqdesk 账号</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Create an account</source>
        <translation>注册新账号</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The account is made on the built-in server of this computer. You get a new QQ number to sign in with.</source>
        <translation>账号建在本机的内置服务器上。您会得到一个新的QQ号码，用它登录。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The name your friends see</source>
        <translation>好友看到的名字</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>At least {count} characters</source>
        <translation>至少 {count} 个字符</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Nickname:</source>
        <translation>昵称(&amp;N)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pass&amp;word:</source>
        <translation>密码(&amp;W)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Again:</source>
        <translation>确认密码(&amp;A)：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>C&amp;reate Account</source>
        <translation>注册(&amp;R)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Back</source>
        <translation>返回(&amp;B)</translation>
    </message>
    <message>
        <location line="+81"/>
        <source>Other computers can connect to: {addresses}</source>
        <translation>其他电脑可以连接到：{addresses}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The built-in server could not start: {reason}</source>
        <translation>内置服务器无法启动：{reason}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Starting...</source>
        <translation>正在启动...</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The built-in server could not start. Choose another server.</source>
        <translation>内置服务器无法启动，请选择其他服务器。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The built-in server is still starting. Try again.</source>
        <translation>内置服务器还在启动中，请稍后再试。</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Enter a nickname.</source>
        <translation>请输入昵称。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose a password.</source>
        <translation>请设置密码。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The password is too short: use at least {count} characters.</source>
        <translation>密码太短：请至少使用 {count} 个字符。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The two passwords differ. Type the same password twice.</source>
        <translation>两次输入的密码不一致，请输入相同的密码。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The account could not be created: {reason}</source>
        <translation>无法注册账号：{reason}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Your new QQ number is {number}. Note it down: you sign in with it.</source>
        <translation>您的新QQ号码是 {number}。请记下来：登录时要用它。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Enter your QQ number first: the proxy is kept per number.</source>
        <translation>请先输入 QQ 号码：代理按号码分别保存。</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Enter your QQ number (5 digits or more).</source>
        <translation>请输入QQ号码（5位或以上数字）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{number} is signed in already. Choose it in the account switcher at the top of the main window.</source>
        <translation>{number} 已经登录。请在主窗口顶部的账号切换栏中选择它。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../mainwindow.py" line="+128"/>
        <source>qqdesk</source>
        <extracomment>my own face, nickname or status changed (the account switcher shows them) Notification rules when there are no settings to keep them in. Senders&apos; names (card or nickname) per room, for notices while its chat is closed.</extracomment>
        <translation>qqdesk</translation>
    </message>
    <message>
        <location line="+49"/>
        <location line="+143"/>
        <source>&amp;qqdesk</source>
        <translation>&amp;qqdesk</translation>
    </message>
    <message>
        <location line="-141"/>
        <location line="+142"/>
        <source>&amp;Add friend…</source>
        <translation>添加好友(&amp;A)…</translation>
    </message>
    <message>
        <location line="-133"/>
        <location line="+136"/>
        <source>Search all &amp;messages…</source>
        <translation>搜索全部消息(&amp;M)…</translation>
    </message>
    <message>
        <location line="-132"/>
        <location line="+133"/>
        <source>&amp;Do not disturb</source>
        <translation>免打扰(&amp;D)</translation>
    </message>
    <message>
        <location line="-130"/>
        <location line="+128"/>
        <source>My &amp;profile…</source>
        <translation>我的资料(&amp;P)…</translation>
    </message>
    <message>
        <location line="-125"/>
        <location line="+124"/>
        <source>&amp;Settings…</source>
        <translation>系统设置(&amp;S)…</translation>
    </message>
    <message>
        <location line="-121"/>
        <location line="+126"/>
        <source>New &amp;group…</source>
        <translation>创建群(&amp;G)…</translation>
    </message>
    <message>
        <location line="-124"/>
        <location line="+125"/>
        <source>New &amp;discussion…</source>
        <translation>创建讨论组(&amp;D)…</translation>
    </message>
    <message>
        <location line="-123"/>
        <location line="+124"/>
        <source>Approve a &amp;web sign-in…</source>
        <translation>确认网页登录(&amp;W)…</translation>
    </message>
    <message>
        <location line="-122"/>
        <location line="+119"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="-75"/>
        <location line="+79"/>
        <source>Your status, as your friends see it</source>
        <translation>好友看到的您的状态</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Search friends and groups by name or number</source>
        <translation>按名称或号码查找好友和群</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search friends by name or number</source>
        <translation>搜索好友昵称或号码</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Your profile: click to edit it</source>
        <translation>我的资料：点击修改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number: {uin}</source>
        <translation>号码：{uin}</translation>
    </message>
    <message>
        <location line="+160"/>
        <source>Invite friends</source>
        <translation>邀请好友</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>New group</source>
        <translation>创建群</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New discussion</source>
        <translation>创建讨论组</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Group name:</source>
        <translation>群名称：</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Discussion name:</source>
        <translation>讨论组名称：</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Web sign-in waiting</source>
        <translation>网页登录等待确认</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Code {code}</source>
        <translation>验证码 {code}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Groups and discussions are closed here: your account signed in on the web elsewhere. Sign in again to get them back.</source>
        <translation>群和讨论组在这里已关闭：您的帐号在别处登录了网页版。重新登录即可恢复。</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>{sender} in {room}</source>
        <translation>{sender}（{room}）</translation>
    </message>
    <message>
        <location line="+81"/>
        <location filename="../selfcheck.py" line="+135"/>
        <source>Message from {name}</source>
        <extracomment>What the friend answers; it has to show in the chat window.</extracomment>
        <translation>来自 {name} 的消息</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Friend request</source>
        <translation>好友请求</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{name} accepted your friend request.</source>
        <translation>{name} 同意了您的好友请求。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{name} declined your friend request.</source>
        <translation>{name} 拒绝了您的好友请求。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reason: {reason}</source>
        <translation>理由：{reason}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Cannot save messages: the disk may be full. New messages wait on the server until there is room again.</source>
        <translation>无法保存消息：磁盘可能已满。新消息会留在服务器上，直到有空间为止。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Connection lost — reconnecting…</source>
        <translation>网络连接已断开，正在重新连接…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>You are signed out.</source>
        <translation>您已离线。</translation>
    </message>
    <message>
        <location line="+130"/>
        <source>&amp;Open</source>
        <translation>打开(&amp;O)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Notifications</source>
        <translation>消息提醒(&amp;N)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Every message</source>
        <translation>每条消息都提醒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only @mentions</source>
        <translation>仅在被@时提醒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Never (muted)</source>
        <translation>不提醒（免打扰）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Leave…</source>
        <translation>退出(&amp;L)…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Chat</source>
        <translation>聊天(&amp;C)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>View &amp;profile</source>
        <translation>查看资料(&amp;P)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Mark as &amp;read</source>
        <translation>标为已读(&amp;R)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Mark as &amp;unread</source>
        <translation>标为未读(&amp;U)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Remove from list…</source>
        <translation>删除好友(&amp;R)…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Remove friend</source>
        <translation>删除好友</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove {name} ({uin}) from your list?</source>
        <translation>确定要将 {name}（{uin}）从好友列表中删除吗？</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>Friend &amp;requests ({count})</source>
        <translation>好友请求(&amp;R)（{count}）</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>{title}: {body}</source>
        <extracomment>An in-window notice: &quot;Message from Bob: hello&quot; (a full-width colon in Chinese).</extracomment>
        <translation>{title}：{body}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <location filename="../notifications.py" line="+84"/>
        <source>Reply</source>
        <extracomment>Which notifier showed the last balloon of each tray icon. org.freedesktop.Notifications on the session bus (desktop_notify.py). QSystemTrayIcon.showMessage, where a tray exists. the user clicked a notification about the chat with uin the look for the desktop&apos;s notification service (use_dbus) ended: found or not the user answered in a notification&apos;s reply field: (uin, text) Shows a notice inside the app: (uin, title, body); replaceable (ui/accounts.py). Names my account in each title while several are signed in (&quot;&quot; or None: not). Do not disturb: no popups and no sounds (unread counts still show).</extracomment>
        <translation>回复</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>{title} (for {account})</source>
        <extracomment>A notification&apos;s title while several accounts are signed in.</extracomment>
        <translation>{title} — 发给 {account}</translation>
    </message>
</context>
<context>
    <name>OwnProfileDialog</name>
    <message>
        <location filename="../dialogs/own_profile.py" line="+55"/>
        <source>My profile</source>
        <translation>我的资料</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Choose a face</source>
        <translation>选择头像</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Nickname</source>
        <translation>昵称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>QQ number: {number}</source>
        <translation>QQ 号码：{number}</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>The choice beside mobile, phone, address and real name says who may see them: everyone, your friends, or only you.</source>
        <translation>手机、电话、地址和真实姓名旁的选项决定谁能看到它们：所有人、好友，或仅自己。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Change password…</source>
        <translation>修改密码…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Everyone</source>
        <translation>所有人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Friends</source>
        <translation>好友</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only me</source>
        <translation>仅自己</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Who may see this</source>
        <translation>谁能看到</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Loading your profile…</source>
        <translation>正在读取你的资料…</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>This server cannot keep who sees your private fields.</source>
        <translation>此服务器无法保存谁能看到你的隐私资料。</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>The nickname cannot be empty.</source>
        <translation>昵称不能为空。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>“About me” is {count} characters long; at most {limit} fit.</source>
        <translation>“个人说明”有 {count} 个字符，最多只能 {limit} 个。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Nothing has changed.</source>
        <translation>没有改动。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Your password is changed.</source>
        <translation>密码已修改。</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <location filename="../dialogs/profile.py" line="+77"/>
        <source>Profile</source>
        <translation>个人资料</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>QQ number</source>
        <translation>QQ号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Look Up</source>
        <translation>查看</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Number:</source>
        <translation>号码：</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Try Again</source>
        <translation>重试</translation>
    </message>
    <message>
        <location line="+83"/>
        <source>Enter a QQ number of 5 to 10 digits.</source>
        <translation>请输入5到10位数字的QQ号码。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Loading the profile of {number}…</source>
        <translation>正在读取 {number} 的资料…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Profile of {name}</source>
        <translation>{name} 的资料</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>QQ number: {number}</source>
        <translation>QQ号码：{number}</translation>
    </message>
</context>
<context>
    <name>ProfileFaceModel</name>
    <message>
        <location filename="../dialogs/own_profile.py" line="-380"/>
        <source>Face {number}</source>
        <translation>头像 {number}</translation>
    </message>
</context>
<context>
    <name>ProfileFields</name>
    <message>
        <location filename="wrapped_strings.py" line="+4"/>
        <source>About me:</source>
        <translation>个人说明：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Address:</source>
        <translation>联系地址：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Age:</source>
        <translation>年龄：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Basic</source>
        <translation>基本资料</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Blood type:</source>
        <translation>血型：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Chinese zodiac:</source>
        <translation>生肖：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>City:</source>
        <translation>城市：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Constellation:</source>
        <translation>星座：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Contact</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Country:</source>
        <translation>国家：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Email:</source>
        <translation>电子邮件：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Homepage:</source>
        <translation>个人主页：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Location</source>
        <translation>所在地</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Mobile:</source>
        <translation>手机：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>More</source>
        <translation>更多资料</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Occupation:</source>
        <translation>职业：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Phone:</source>
        <translation>电话：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Postcode:</source>
        <translation>邮编：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Province:</source>
        <translation>省份：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Real name:</source>
        <translation>真实姓名：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>School:</source>
        <translation>毕业院校：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sex:</source>
        <translation>性别：</translation>
    </message>
</context>
<context>
    <name>ProxyDialog</name>
    <message>
        <location filename="../proxy.py" line="+243"/>
        <source>Proxy</source>
        <translation>代理</translation>
    </message>
</context>
<context>
    <name>ProxyPage</name>
    <message>
        <location line="-102"/>
        <source>No proxy</source>
        <extracomment>The keyring service of proxy passwords (one entry per account number).</extracomment>
        <translation>不使用代理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>HTTP proxy</source>
        <translation>HTTP 代理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SOCKS5 proxy</source>
        <translation>SOCKS5 代理</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Proxy:</source>
        <translation>代理：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Host:</source>
        <translation>主机：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User name:</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>optional, kept in the system keyring</source>
        <translation>可选，保存在系统密钥环中</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>For account {uin}. A new proxy is used the next time this account signs in.</source>
        <translation>用于账号 {uin}。新的代理在此账号下次登录时生效。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Enter the proxy&apos;s host name or address.</source>
        <translation>请输入代理的主机名或地址。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>“{host}” is not a host name or address.</source>
        <translation>“{host}”不是主机名或地址。</translation>
    </message>
</context>
<context>
    <name>RefuseReasonDialog</name>
    <message>
        <location filename="../dialogs/requests.py" line="-210"/>
        <source>Refuse Friend Request</source>
        <translation>拒绝好友请求</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refuse {name}? You can say why (optional):</source>
        <translation>拒绝 {name} 的请求？您可以附上理由（可不填）：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Reason (optional)</source>
        <translation>理由（可不填）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refuse</source>
        <translation>拒绝</translation>
    </message>
</context>
<context>
    <name>RequestResult</name>
    <message>
        <location line="+218"/>
        <source>Friend Request</source>
        <translation>好友请求</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} approved your friend request.</source>
        <translation>{name} 同意了您的好友请求。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>They are now in your friend list.</source>
        <translation>对方已在您的好友列表中。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} refused your friend request.</source>
        <translation>{name} 拒绝了您的好友请求。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Reason: {reason}</source>
        <translation>理由：{reason}</translation>
    </message>
</context>
<context>
    <name>RequestsDialog</name>
    <message>
        <location line="+35"/>
        <source>Friend Requests</source>
        <translation>好友请求</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Approve</source>
        <translation>同意</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refuse</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>They asked to be my friend</source>
        <translation>请求加我为好友</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I asked, waiting for their answer</source>
        <translation>我发出的请求，等待对方回复</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Their message: {message}</source>
        <translation>附加消息：{message}</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>You approved {name}.</source>
        <translation>您已同意 {name} 的好友请求。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>You refused {name}.</source>
        <translation>您已拒绝 {name} 的好友请求。</translation>
    </message>
</context>
<context>
    <name>RoomChatWindow</name>
    <message>
        <location filename="../roomchat.py" line="+264"/>
        <source>Notify: every message</source>
        <extracomment>A member&apos;s face picture id where known (buddies&apos;), else 0. the user chose another notification rule (conversation, rule) I left the room</extracomment>
        <translation>提醒：每条消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notify: only @mentions</source>
        <translation>提醒：仅被@时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notify: never (muted)</source>
        <translation>提醒：从不（免打扰）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>When messages here notify you</source>
        <translation>这里的消息何时提醒您</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Invite friends…</source>
        <translation>邀请好友(&amp;I)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Set my &amp;card…</source>
        <translation>修改我的群名片(&amp;C)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Leave the group…</source>
        <translation>退出该群(&amp;L)…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Leave the discussion…</source>
        <translation>退出该讨论组(&amp;L)…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Group</source>
        <translation>群</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Discussion</source>
        <translation>讨论组</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{kind} · {count} members</source>
        <translation>{kind} · {count} 位成员</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Members ({online}/{count})</source>
        <translation>成员（{online}/{count}）</translation>
    </message>
    <message>
        <location line="+95"/>
        <source>You invited {names}</source>
        <translation>您邀请了 {names}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>My card in {name}</source>
        <translation>我在 {name} 的群名片</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The name members see for you here (empty: your nickname):</source>
        <translation>群成员在这里看到的您的名字（留空则显示昵称）：</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+7"/>
        <source>Leave</source>
        <translation>退出</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Leave {name}? You will no longer get its messages.</source>
        <translation>退出 {name}？退出后将不再收到它的消息。</translation>
    </message>
</context>
<context>
    <name>SearchResultsModel</name>
    <message>
        <location filename="../dialogs/search.py" line="-513"/>
        <source>Nickname</source>
        <translation>昵称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number</source>
        <translation>号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Age</source>
        <translation>年龄</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Province</source>
        <translation>省份</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{name} (friend)</source>
        <translation>{name}（好友）</translation>
    </message>
    <message>
        <location filename="../history_search.py" line="-92"/>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Message</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../dialogs/settings_dialog.py" line="+148"/>
        <source>Settings</source>
        <extracomment>Where auto-away reads idle time (None: not known here, e.g. before sign-in).</extracomment>
        <translation>系统设置</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notifications</source>
        <translation>提醒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Proxy</source>
        <translation>代理</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+3"/>
        <source>Same as the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>The new language applies when you press Apply.</source>
        <translation>按“应用”后即切换到新语言。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start minimized to the system tray</source>
        <translation>启动时最小化到系统托盘</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Never</source>
        <translation>从不</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Busy when idle for:</source>
        <translation>空闲多久后设为忙碌：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sending messages</source>
        <translation>发送消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter sends, Shift+Enter starts a new line</source>
        <translation>按 Enter 发送，Shift+Enter 换行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ctrl+Enter sends, Enter starts a new line</source>
        <translation>按 Ctrl+Enter 发送，Enter 换行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open chats as tabs in one window</source>
        <translation>在同一窗口中以标签页打开聊天</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show a notification for new messages</source>
        <translation>收到新消息时显示通知</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Play sounds</source>
        <translation>播放声音</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use the built-in server on this computer</source>
        <translation>使用本机内置的服务器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Let other computers on my network connect to it</source>
        <translation>允许局域网内的其他电脑连接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connect to a server:</source>
        <translation>连接到服务器：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>host:port, for example 192.168.1.10:8000</source>
        <translation>主机:端口，例如 192.168.1.10:8000</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Server changes take effect the next time you log in.</source>
        <translation>服务器设置在下次登录时生效。</translation>
    </message>
    <message>
        <location line="+142"/>
        <source>“{text}” is not a server address. Write it as host:port.</source>
        <translation>“{text}”不是有效的服务器地址，请按“主机:端口”的格式填写。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enter the server&apos;s address as host:port.</source>
        <translation>请按“主机:端口”的格式填写服务器地址。</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <location filename="wrapped_strings.py" line="+4"/>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Invisible</source>
        <translation>隐身</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../tray.py" line="+34"/>
        <location line="+25"/>
        <source>&amp;Open qqdesk</source>
        <extracomment>Order of statuses in every status menu, as QQ users know it. the user switched do-not-disturb on or off in the tray menu</extracomment>
        <translation>打开 qqdesk(&amp;O)</translation>
    </message>
    <message>
        <location line="-23"/>
        <location line="+24"/>
        <source>&amp;Status</source>
        <translation>状态(&amp;S)</translation>
    </message>
    <message>
        <location line="-15"/>
        <location line="+18"/>
        <source>&amp;Do not disturb</source>
        <translation>免打扰(&amp;D)</translation>
    </message>
    <message>
        <location line="-14"/>
        <location line="+15"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message numerus="yes">
        <location line="+33"/>
        <source>qqdesk — %n unread message(s)</source>
        <translation>
            <numerusform>qqdesk — %n 条未读消息</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>qqdesk</source>
        <translation>qqdesk</translation>
    </message>
</context>
<context>
    <name>UnreadMarker</name>
    <message>
        <location filename="../unread.py" line="+50"/>
        <source>New messages</source>
        <translation>新消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Go to the first unread message</source>
        <translation>跳到第一条未读消息</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>%n unread message(s)</source>
        <translation>
            <numerusform>%n 条未读消息</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>VerificationRequestDialog</name>
    <message>
        <location filename="../dialogs/search.py" line="+55"/>
        <source>Verification Required</source>
        <translation>身份验证</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{name} only accepts friends they approve. Tell them who you are:</source>
        <translation>{name} 需要验证才能加为好友，请输入验证信息：</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>I am {name}.</source>
        <translation>我是{name}。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Send Request</source>
        <translation>发送</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
</context>
<context>
    <name>WebLoginDialog</name>
    <message>
        <location filename="../dialogs/rooms.py" line="+37"/>
        <source>Approve a web sign-in</source>
        <extracomment>a sign-in was decided (code, approved)</extracomment>
        <translation>确认网页登录</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A web QQ client that shows a QR picture also shows a code beside it. Type that code to let the client sign in as you, or to refuse it. Approve only a sign-in you started yourself.</source>
        <translation>网页 QQ 显示二维码时，旁边还会显示一个验证码。输入该验证码，即可允许或拒绝这个客户端以您的身份登录。只确认您自己发起的登录。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&amp;Approve</source>
        <translation>同意(&amp;A)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Refuse</source>
        <translation>拒绝(&amp;R)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Code:</source>
        <translation>验证码：</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No web sign-in is waiting right now.</source>
        <translation>目前没有等待确认的网页登录。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{count} web sign-in(s) waiting; the newest since {time}.</source>
        <translation>有 {count} 个网页登录等待确认，最新的一个始于 {time}。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Approved: the sign-in with code {code} is now signed in as you.</source>
        <translation>已同意：验证码为 {code} 的客户端已以您的身份登录。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refused: the sign-in with code {code} cannot sign in.</source>
        <translation>已拒绝：验证码为 {code} 的客户端无法登录。</translation>
    </message>
</context>
<context>
    <name>WebLoginNotice</name>
    <message>
        <location line="+23"/>
        <source>Web sign-in waiting</source>
        <extracomment>decided (code, approved)</extracomment>
        <translation>网页登录等待确认</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A web QQ client is waiting to sign in. Its QR picture shows the code {code}.</source>
        <translation>有一个网页 QQ 正在等待登录，它的二维码旁显示的验证码是 {code}。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Approve only if you started it yourself: it will sign in as you.</source>
        <translation>只有在您自己发起时才同意：它将以您的身份登录。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Approve</source>
        <translation>同意</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refuse</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Later</source>
        <translation>稍后处理</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <location filename="../dialogs/common.py" line="+30"/>
        <source>Any</source>
        <translation>不限</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Invisible</source>
        <translation>隐身</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Type A</source>
        <translation>A型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type B</source>
        <translation>B型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type O</source>
        <translation>O型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type AB</source>
        <translation>AB型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other blood type</source>
        <translation>其他血型</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Aquarius</source>
        <translation>水瓶座</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pisces</source>
        <translation>双鱼座</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Aries</source>
        <translation>白羊座</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Taurus</source>
        <translation>金牛座</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Gemini</source>
        <translation>双子座</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancer</source>
        <translation>巨蟹座</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Leo</source>
        <translation>狮子座</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Virgo</source>
        <translation>处女座</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Libra</source>
        <translation>天秤座</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scorpio</source>
        <translation>天蝎座</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sagittarius</source>
        <translation>射手座</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Capricorn</source>
        <translation>摩羯座</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Rat</source>
        <translation>鼠</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ox</source>
        <translation>牛</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tiger</source>
        <translation>虎</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rabbit</source>
        <translation>兔</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dragon</source>
        <translation>龙</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Snake</source>
        <translation>蛇</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Horse</source>
        <translation>马</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Goat</source>
        <translation>羊</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Monkey</source>
        <translation>猴</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rooster</source>
        <translation>鸡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dog</source>
        <translation>狗</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pig</source>
        <translation>猪</translation>
    </message>
</context>
</TS>
