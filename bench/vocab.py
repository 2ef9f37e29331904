"""Word pools and templates for synthetic Chinese video titles (data only; ``bench.titles`` combines them).

Pools are large on purpose: unrelated titles must stay far apart in edit distance (see ``bench.titles``). Entries
are space-separated, or ``|``-separated when an entry holds a space. Nothing here may contain an unsafe term; the
corpus tests check that.
"""
from __future__ import annotations

_RAW: dict[str, str] = {
    "city": "北京 上海 广州 深圳 成都 重庆 杭州 西安 南京 武汉 长沙 苏州 厦门 青岛 大连 昆明 大理 丽江 桂林 三亚 拉萨 哈尔滨 长春 "
    "沈阳 天津 郑州 洛阳 开封 济南 合肥 黄山 南昌 福州 泉州 贵阳 南宁 北海 海口 兰州 敦煌 银川 太原 平遥 承德 烟台 威海 扬州 "
    "无锡 绍兴 宁波 温州 舟山 婺源 凤凰古城 张家界 恩施 宜昌 九寨沟 稻城 西双版纳 腾冲 潮汕 佛山 珠海 澳门 香港 东京 大阪 首尔 "
    "曼谷 清迈 新加坡 巴黎 伦敦 罗马 冰岛 新西兰 迪拜 伊犁 喀纳斯 阿勒泰 呼伦贝尔 漠河 长白山 峨眉山 泰山 华山 乌镇 鼓浪屿 涠洲岛",
    "prov": "四川 湖南 湖北 云南 贵州 广西 江西 河南 河北 山东 山西 陕西 甘肃 东北 安徽 福建 浙江 江苏 广东 海南 内蒙古 新疆 重庆 宁夏",
    "sur": "王 李 张 刘 陈 杨 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 "
    "叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺",
    "given": "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 英 华 玉 兰 萍 鹏 飞 宇 浩 凯 晨 轩 欣 怡 婷 雪 琳 佳 梓 "
    "涵 博 文 思 雨 子 然 辰 逸 泽 宁 嘉 瑶 晴 可 心 航 峰 斌 建 国 志 海 波 亮 成 春 燕 莉 倩 颖 薇 悦 彤 朵 诺 安 乐 阳 旭 锋",
    "fam": "我妈 我爸 爷爷 奶奶 外婆 外公 老公 老婆 闺蜜 室友 同事 老板 邻居 表妹 小姨 舅舅 婆婆 岳父 大姐 弟弟 姐姐 媳妇 师父 班主任",
    "kid": "宝宝 女儿 儿子 二宝 小侄子 小外甥 双胞胎 闺女 大宝 小棉袄 小家伙 小胖墩 萌娃 小表弟 小侄女",
    "animal": "猫咪 狗狗 柯基 柴犬 金毛 布偶猫 橘猫 仓鼠 兔子 鹦鹉 哈士奇 边牧 英短 蓝猫 泰迪 萨摩耶 狸花猫 德牧 乌龟 小香猪 羊驼 暹罗猫 "
    "比熊 法斗 龙猫 刺猬 八哥 锦鲤 阿拉斯加 拉布拉多",
    "time": "周末 下班后 凌晨三点 春节 国庆 中秋 五一 暑假 寒假 元旦 除夕夜 开学第一天 下雨天 冬天 夏天 早上六点 深夜 午休时 清明 端午 "
    "七夕 年底 第一次 发工资那天 生日当天 入职第一天 放学后 大年初一",
    "season": "春季 夏季 秋季 冬季 三伏天 入秋 立冬 初春 梅雨季 换季 冬至 立夏 秋冬 早春",
    "tag": "高能 搞笑 教程 干货 合集 首发 独家 原创 实拍 揭秘 超燃 治愈 必看 盘点 现场 预告 花絮 测评 攻略 日常 科普 精选 经典 回顾 "
    "名场面 抢先看 爆笑 解说 温馨 感人 实用 硬核 沉浸式 宝藏 新手向 避坑 记录 挑战 探店 开箱 独家专访 催泪 下饭 解压 纯享",
    "hook": "太好吃了 笑死我了 看哭了 绝了 建议收藏 一定要看到最后 网友直呼过瘾 结局太意外 全程高能 越看越上头 简单又好学 新手必看 "
    "看完涨知识 太治愈了 一口入魂 全网最全 干货满满 三分钟学会 手把手教你 不看后悔 万万没想到 泪目了 燃爆了 真香 被圈粉了 学到了 "
    "爷青回 有被惊艳到 细节拉满 上头了 看完沉默了 真实又扎心 超级实用 零失败 一次就成功 这操作绝了 评论区炸了 看一次笑一次 "
    "停不下来 快转给家人 收藏起来慢慢看 后悔没早点知道 太有才了 暖心一幕 全场沸腾 这波稳了 值得一看 好评如潮 看完就会 满满回忆",
    "wow": "惊艳全场 让人起鸡皮疙瘩 唱哭了全场 直接封神 引来路人围观 全场安静了 评委都站起来了 太好听了 好听到循环 一开口就跪了",
    "song": "晴天 稻香 七里香 告白气球 后来 十年 平凡之路 光年之外 起风了 孤勇者 夜曲 青花瓷 小幸运 演员 体面 年少有为 漠河舞厅 "
    "星辰大海 海阔天空 红豆 富士山下 突然好想你 倔强 成都 南山南 消愁 追光者 不将就 说好不哭 小城夏天 大鱼 凉凉 少年 错位时空 "
    "千千阙歌 月亮代表我的心 甜蜜蜜 童话 匆匆那年 泡沫 光辉岁月 我的歌声里 水星记 慢慢喜欢你 岁月神偷 半壶纱 牵丝戏 卷珠帘 "
    "稻城的风 听海 江南 曹操 夜空中最亮的星 恋爱循环 如愿 天空之城 雪落下的声音 一路生花 热爱一〇五度的你 野狼迪斯科",
    "vstyle": "吉他弹唱 钢琴弹唱 清唱 粤语版 女声版 男声版 戏腔版 方言版 童声版 古风版 摇滚版 民谣版 治愈版 深情版 乐队版 合唱版 "
    "小提琴伴奏 电音版 阿卡贝拉版 即兴改编",
    "drama": "琅琊榜 甄嬛传 庆余年 狂飙 人世间 繁花 长相思 苍兰诀 知否 梦华录 山海情 隐秘的角落 漫长的季节 开端 欢乐颂 都挺好 "
    "父母爱情 亮剑 武林外传 还珠格格 大宋少年志 莲花楼 星汉灿烂 去有风的地方 追风者 三十而已 小欢喜 觉醒年代 鬼吹灯 沉香如屑 "
    "与凤行 玫瑰的故事 我的阿勒泰 长安十二时辰 风起陇西 清平乐 大江大河 请回答一九八八",
    "role": "男主 女主 皇上 娘娘 反派 大佬 县令 侯爷 将军 公主 王爷 老板 警官 婆婆 丫鬟 太后 师父 总裁 少年 掌柜 小师妹 捕快 军师 "
    "富家千金 大小姐 老管家 宰相 皇子 县长 班长",
    "act": "怒怼 识破 反击 当众揭穿 霸气护住 智斗 暗中帮助 默默守护 舌战 怼哭 认出 原谅 救下 点醒 试探 拆穿 教训 感动了 吓坏了 考验",
    "dscene": "名场面 高光时刻 虐心片段 甜宠片段 反转名场面 经典台词 打脸名场面 哭戏 吵架戏 告白戏 对峙名场面 初遇名场面 结局片段 "
    "搞笑片段 催泪片段 高燃片段 重逢名场面 离别片段",
    "dpre": "终极预告 先导预告 定档预告 角色预告 幕后花絮 片场花絮 路透 主题曲 首播发布会 杀青花絮 人物海报 剧情预告",
    "opin": "剧情是否烂尾 值不值得追 人物塑造分析 原著和剧版区别 结局有什么深意 配角为何更出彩 演技谁最在线 伏笔全解析",
    "movie": "流浪地球 满江红 长津湖 你好李焕英 哪吒之魔童降世 战狼 唐人街探案 我不是药神 误杀 消失的她 封神 热辣滚烫 飞驰人生 "
    "第二十条 星际穿越 盗梦空间 泰坦尼克号 阿凡达 复仇者联盟 肖申克的救赎 教父 沙丘 奥本海默 功夫 大话西游 无间道 让子弹飞 "
    "霸王别姬 寻梦环游记 疯狂动物城 千与千寻 海上钢琴师 楚门的世界 心灵奇旅 少年的你 八佰 我和我的祖国 长安三万里 人生大事",
    "mscene": "名场面 结局解析 隐藏彩蛋 高燃片段 经典台词 幕后故事 细节解读 催泪片段 删减片段 开场十分钟 反转时刻 配乐赏析",
    "genre": "科幻 悬疑 喜剧 爱情 动作 动画 战争 犯罪 恐怖 剧情 武侠 奇幻 灾难 传记",
    "fin": "股市 港股 美股 基金 黄金价格 房价 利率 汇率 人民币 国债 通胀 存款利息 理财产品 养老金 医保 个税 公积金 央行降准 新能源板块 "
    "半导体板块 白酒板块 银行股 券商股 油价 外汇储备 消费数据 出口数据 房贷利率 楼市政策 债券基金",
    "finq": "怎么理财最稳 放银行还是买基金 如何跑赢通胀 要不要提前还房贷 该买房还是租房 如何规划养老 普通人怎么配置 要不要买保险",
    "finv": "一直下跌 突然上涨 持续波动 不涨反跌 创下新高 大幅回调 连续走强 低位震荡",
    "month": "一月 二月 三月 四月 五月 六月 七月 八月 九月 十月 十一月 十二月 年中 年末 上半年 下半年 一季度 四季度",
    "makeup": "口红 眼影盘 粉底液 腮红 眉笔 睫毛膏 遮瑕 高光 散粉 卸妆油 气垫 唇釉 修容盘 定妆喷雾 眼线笔 妆前乳",
    "look": "日常妆 通勤妆 约会妆 新娘妆 伪素颜妆 港风妆 韩系妆 元气少女妆 复古妆 秋冬妆 清透妆 派对妆 毕业照妆 舞台妆 面试妆",
    "hair": "短发 长发 卷发 盘发 编发 空气刘海 染发 烫发 法式卷 公主切 丸子头 鲻鱼头 锁骨发 羊毛卷 八字刘海 低马尾",
    "face": "圆脸 方脸 长脸 大脸 鹅蛋脸 菱形脸 高颅顶 扁头 发量少 头发软塌",
    "kidact": "第一次叫爸爸 学走路 吃西瓜 给妈妈梳头 偷吃零食 和狗狗玩 假装睡觉 帮忙做家务 哄妹妹睡觉 第一次上幼儿园 模仿大人说话 "
    "自己穿衣服 第一次坐飞机 洗澡不肯出来 认真写作业 给爷爷捶背 偷偷化妆 学骑自行车 第一次吃柠檬 跟爸爸讲道理",
    "trad": "剪纸 皮影戏 书法 国画 京剧 昆曲 茶艺 古琴 刺绣 糖画 扎染 油纸伞 青花瓷 汉服 舞狮 木雕 泥人 风筝 漆器 蜡染 篆刻 川剧变脸 "
    "打铁花 竹编 花丝镶嵌 榫卯 紫砂壶 苏绣 年画 面塑",
    "fest": "春节 端午 中秋 元宵 清明 七夕 重阳 冬至 腊八 小年 立春 寒食节 二十四节气 除夕",
    "cartoon": "小猪佩奇 汪汪队立大功 熊出没 超级飞侠 喜羊羊与灰太狼 海底小纵队 宝宝巴士 猫和老鼠 巧虎 贝乐虎 萌鸡小队 小鲤鱼历险记 "
    "大头儿子小头爸爸 黑猫警长 葫芦娃 小猪唏哩呼噜 托马斯小火车 超级宝贝 朵拉 米小圈",
    "kstory": "勇敢的小兔子 找不到的玩具 下雨天 去海边 生日派对 森林探险 小熊搬家 月亮不见了 学会分享 我不怕黑 第一次露营 神秘的礼物 "
    "好朋友吵架了 大雪来了 救救小鸟 寻找彩虹",
    "ksong": "小星星 两只老虎 拔萝卜 数鸭子 小毛驴 找朋友 丢手绢 小燕子 一分钱 小兔子乖乖 世上只有妈妈好 铃儿响叮当",
    "disease": "高血压 糖尿病 颈椎病 腰椎间盘突出 失眠 胃炎 痛风 甲状腺结节 近视 过敏性鼻炎 脂肪肝 偏头痛 骨质疏松 湿疹 慢性咽炎 "
    "肩周炎 贫血 胆结石 关节炎 口腔溃疡",
    "symptom": "头晕 手脚发麻 口干 夜里咳嗽 心慌 胸闷 腰疼 耳鸣 脚后跟疼 手心出汗 眼睛干涩 嘴里发苦 半夜醒来 总是犯困 脖子僵硬",
    "hq": "能治好吗 怎么预防 吃什么好 需要手术吗 要吃药吗 该挂什么科 能运动吗 会遗传吗",
    "exam": "尿酸 血脂 转氨酶 血糖 肌酐 甲功 血常规 肝功能 骨密度 心电图",
    "kprob": "不爱吃饭 总是哭闹 沉迷手机 写作业拖拉 不爱说话 晚上不睡觉 爱发脾气 总爱顶嘴 胆子太小 挑食严重 不愿上学 爱咬指甲",
    "ptip": "给宝宝洗澡的正确方法 冲奶粉的正确步骤 辅食添加顺序 如何培养阅读习惯 怎么应对分离焦虑 夜醒频繁的处理 如何选绘本 "
    "怎样夸孩子更有效 二胎如何平衡 如何让孩子爱上运动",
    "food": "山药 红枣 枸杞 小米粥 黑豆 银耳 百合 生姜 白萝卜 南瓜 莲子 薏米 黑芝麻 核桃 桂圆 玉米须 陈皮 山楂 冬瓜 绿豆",
    "eff": "补气血 健脾胃 助睡眠 去湿气 养肝护肝 润肺止咳 暖身驱寒 改善手脚冰凉 提高免疫力 缓解疲劳",
    "exer": "八段锦 太极拳 拍打经络 泡脚 揉腹 踮脚 爬楼梯 快走 甩手功 站桩 五禽戏 提肛运动",
    "mpre": "终极预告 正式预告 定档预告 角色海报 幕后花絮 首映礼 发布会 主创访谈 片尾彩蛋 特辑",
    "star": "詹姆斯 库里 杜兰特 科比 乔丹 字母哥 东契奇 约基奇 欧文 哈登 威少 姚明 易建联 塔图姆 恩比德 文班亚马 莫兰特 布克 "
    "郭艾伦 周琦 胡明轩 赵继伟 奥尼尔 邓肯 艾弗森 麦迪 加内特 诺维茨基",
    "team": "湖人 勇士 凯尔特人 热火 掘金 独行侠 太阳 雄鹿 快船 尼克斯 森林狼 国王 广东宏远 辽宁本钢 北京首钢 新疆广汇 浙江广厦 "
    "上海久事 山东高速 深圳马可波罗",
    "bskill": "后撤步 欧洲步 急停跳投 胯下运球 背身单打 空中接力 底角三分 隔人暴扣 抢断快攻 封盖 变向突破 勾手 抛投 转身过人 干拔三分",
    "bbest": "绝杀 隔扣 名场面 高光时刻 封盖 助攻 神仙球 关键球",
    "lifeact": "整理房间 做早餐 逛菜市场 大扫除 搬家 布置新家 逛超市 做晚饭 通勤路上 遛弯 洗衣服 收拾冰箱 囤年货 换季收纳 做便当 "
    "养绿植 拆快递 逛夜市 晨跑 泡咖啡 给阳台种菜",
    "funny": "日常吐槽 相亲现场 过年催婚 点外卖 砍价现场 教爸妈用手机 打电话 考驾照 面试现场 家长会",
    "talent": "钢琴演奏 拉丁舞 背诵古诗 绘画 魔方还原 诗朗诵 讲故事 书法表演 跆拳道 中国舞 快板 架子鼓 主持 演讲 武术表演 花样跳绳",
    "dancestyle": "霹雳舞 锁舞 震感舞 嘻哈 爵士舞 机械舞 地板舞 排舞 韩舞翻跳 编舞 现代舞 甩手舞",
    "dround": "海选 决赛 八强赛 半决赛 总决赛 淘汰赛 大师课 斗舞现场 表演赛 排位赛",
    "dsteps": "分解教学 正背面演示 简单易学 附教学 好看易学 慢速分解 背面演示 口令分解",
    "subj": "高考数学 中考物理 小学奥数 初中英语 考研政治 四六级 高中化学 小学语文 初中数学 高中生物 考研英语 中考作文 高考语文 小学数学",
    "topic": "函数压轴题 电路分析 鸡兔同笼 完形填空 马原选择题 听力技巧 有机推断 阅读理解 几何辅助线 遗传题 长难句 材料作文 "
    "文言文翻译 应用题 导数题 错题整理 背诵方法 解题思路",
    "house": "两居室 三居室 小户型 复式 老房 婚房 学区房 自建房 出租屋 顶楼 大平层 毛坯房",
    "room": "厨房 卫生间 客厅 卧室 阳台 玄关 儿童房 衣帽间 书房 餐厅",
    "dish": "红烧排骨 糖醋里脊 宫保鸡丁 鱼香肉丝 麻婆豆腐 回锅肉 水煮鱼 可乐鸡翅 番茄炒蛋 酸菜鱼 小龙虾 锅包肉 东坡肉 葱油拌面 蛋炒饭 "
    "红烧肉 清蒸鲈鱼 酸辣土豆丝 地三鲜 干煸豆角 辣子鸡 水煮肉片 啤酒鸭 白切鸡 梅菜扣肉 剁椒鱼头 蒜蓉粉丝扇贝 孜然羊肉 "
    "手撕包菜 油焖大虾 酱牛肉 卤猪蹄 葱爆羊肉 香煎带鱼 虎皮青椒 蚝油生菜 肉末茄子 土豆炖牛腩 老鸭汤 罗宋汤 牛肉面 "
    "肉夹馍 煎饺 生煎包 葱油饼 韭菜盒子 酸汤肥牛 黄焖鸡 咖喱鸡 芋泥麻薯 蛋挞 戚风蛋糕 双皮奶 红豆沙 凉皮",
    "tasty": "比饭店还好吃 鲜香入味 外酥里嫩 孩子抢着吃 做法超简单 连吃三碗饭 汤汁都不剩 一次学会 软烂脱骨 香辣过瘾",
    "shop": "老字号面馆 网红火锅 路边摊 夜市小吃 自助餐 烧烤店 早餐铺 私房菜 苍蝇馆子 茶餐厅 米其林餐厅 牛肉面馆",
    "snack": "奶茶 螺蛳粉 煎饼果子 炸鸡 汉堡 冰淇淋 麻辣烫 烤冷面 臭豆腐 生煎 烧麦 泡面 月饼 辣条 方便火锅 钵钵鸡",
    "verdict": "值不值 踩雷了 真的绝了 性价比超高 排队两小时 吃完就后悔 老板太实在 分量惊人 味道一般 必吃榜实测",
    "sport": "乒乓球 羽毛球 网球 排球 游泳 田径 跳水 体操 举重 马拉松 滑雪 短道速滑 花样滑冰 拳击 击剑 射箭 攀岩 赛艇",
    "athlete": "马龙 樊振东 孙颖莎 王楚钦 全红婵 苏炳添 谷爱凌 张伟丽 林丹 李宁 刘翔 郎平 朱婷 陈梦 石宇奇 潘展乐 郑钦文 汪顺",
    "round": "小组赛 八分之一决赛 四分之一决赛 半决赛 决赛 资格赛 首轮 次轮 冠军赛 铜牌赛",
    "xsp": "郭德纲 于谦 岳云鹏 孙越 赵本山 宋小宝 冯巩 贾玲 沈腾 马丽 小沈阳 潘长江 蔡明 郭冬临 黄宏 高秀敏 范伟 巩汉林",
    "xspiece": "卖拐 不差钱 扶不扶 我要幸福 昨天今天明天 钟点工 卖车 超生游击队 打工奇遇 有事您说话 相亲 五官争功 西征梦 "
    "我是特种兵 捐助 策划 今天的幸福 不能让他走",
    "xseg": "经典片段 爆笑片段 名场面 完整演出 全程笑点 高清修复 现场版",
    "singer": "周杰伦 林俊杰 邓紫棋 薛之谦 陈奕迅 李荣浩 毛不易 王菲 张学友 刘德华 蔡依林 孙燕姿 五月天 华晨宇 周深 张韶涵 汪苏泷 张杰",
    "mvv": "官方版 现场版 歌词版 动态歌词 高音质 伴奏版 纯享版 演唱会版 官方音乐视频 首发",
    "clothes": "风衣 卫衣 阔腿裤 牛仔外套 针织衫 连衣裙 西装外套 半身裙 羽绒服 马甲 衬衫 工装裤 毛呢大衣 小白鞋",
    "style": "通勤 法式 韩系 日系 复古 甜酷 学院风 极简 美式 运动风 老钱风 多巴胺 新中式 森系",
    "gadget": "手机 笔记本 平板 耳机 充电宝 路由器 机械键盘 显示器 智能手表 扫地机器人 投影仪 相机 无人机 电动牙刷 空气炸锅 洗地机",
    "brand": "华为 小米 苹果 荣耀 联想 大疆 三星 索尼 魅族 红米 一加 真我 戴尔 佳能",
    "techq": "值得买吗 有什么区别 怎么选不踩坑 续航实测 拍照对比 发热严重吗 优缺点总结 用了一年的感受",
    "fitgoal": "减脂 增肌 瘦肚子 练腹肌 瘦大腿 练翘臀 改善驼背 练马甲线 瘦手臂 提升体能",
    "exercise": "深蹲 硬拉 卧推 俯卧撑 平板支撑 引体向上 跳绳 开合跳 弓步蹲 臀桥 卷腹 波比跳 高抬腿 哑铃划船",
    "style2": "北欧风 奶油风 日式 原木风 法式 中古风 侘寂风 新中式 极简风 轻奢风",
    "decor": "收纳神器 氛围灯 地毯 窗帘 绿植 挂画 香薰 床品四件套 置物架 餐边柜",
    "docu": "舌尖上的中国 航拍中国 河西走廊 我在故宫修文物 人生一串 风味人间 如果国宝会说话 蓝色星球 地球脉动 宇宙时空之旅 "
    "大国工匠 城市24小时 一百年很长吗 新疆味道 早餐中国",
    "doctopic": "山川河流 古城记忆 传统手艺 市井烟火 野生动物 海洋奇观 匠人精神 家乡味道 候鸟迁徙 四季变迁",
    "crop": "水稻 玉米 小麦 红薯 花生 柑橘 苹果 西瓜 辣椒 茶叶 草莓 猕猴桃 土豆 甘蔗 葡萄 香菇 大蒜 芒果",
    "livestock": "土鸡 黑山羊 小龙虾 黄牛 肉牛 鸭子 蜜蜂 大鹅 鸽子 竹鼠 黑猪 螃蟹 鱼苗 兔子",
    "farmres": "收入翻了一倍 终于丰收了 亏了不少钱 一年挣了多少 差点全军覆没 被城里人抢光 村里人都来学 产量创新高",
    "job": "外卖小哥 程序员 护士 快递员 消防员 幼师 律师 厨师 公交司机 会计 设计师 保安 医生 空姐 销售 主播 列车员 环卫工",
    "wtip": "如何和领导相处 怎么写周报 如何避免背锅 怎样高效开会 该不该裸辞 怎么谈加薪 如何拒绝同事 试用期注意事项",
    "game": "王者荣耀 原神 和平精英 英雄联盟 我的世界 黑神话悟空 崩坏星穹铁道 蛋仔派对 永劫无间 第五人格 植物大战僵尸 艾尔登法环 "
    "塞尔达传说 金铲铲之战 光遇 阴阳师 梦幻西游 穿越火线 地下城与勇士 魔兽世界 暗黑破坏神 明日方舟 绝区零 逆水寒",
    "hero": "李白 韩信 孙悟空 貂蝉 后羿 鲁班七号 妲己 露娜 诸葛亮 赵云 关羽 吕布 钟馗 瑶 镜 马超 亚索 盲僧 雷电将军 钟离 刻晴 胡桃",
    "gplay": "连招教学 出装推荐 五杀集锦 上分攻略 细节教学 操作集锦 新手入门 高端局复盘 隐藏技巧 版本答案 实战解说 极限反杀",
    "gnews": "更新内容汇总 新角色爆料 平衡性调整 隐藏彩蛋 新地图试玩 剧情解析 抽卡实录 活动攻略",
    "instrument": "钢琴 吉他 古筝 二胡 小提琴 尤克里里 架子鼓 笛子 萨克斯 琵琶 葫芦丝 大提琴 口琴 竹笛 手碟 马头琴 扬琴 长笛",
    "lesson": "认识音阶 基本指法 节奏练习 和弦转换 右手技巧 换把练习 识谱入门 颤音技巧 扫弦节奏 滑音练习",
    "show": "奔跑吧 向往的生活 极限挑战 乘风破浪的姐姐 中国好声音 脱口秀大会 密室大逃脱 王牌对王牌 快乐大本营 声生不息 "
    "披荆斩棘 这就是街舞 朗读者 中国诗词大会 一年一度喜剧大赛 花儿与少年 种地吧",
    "showact": "爆笑名场面 深情演唱 即兴表演 游戏环节 真心话 惊喜登场 全场大笑 飙高音 神回复 互相拆台",
    "skincare": "精华 面霜 防晒霜 洗面奶 面膜 爽肤水 眼霜 身体乳 乳液 精华油 水乳套装 去角质 护手霜 唇膜",
    "skin": "干皮 油皮 敏感肌 混油皮 痘痘肌 熟龄肌 暗沉肌 毛孔粗大 黑头多 泛红肌",
    "petact": "拆家现场 洗澡大作战 第一次见雪 吃冻干 和主人吵架 偷吃东西被抓 生小宝宝 去宠物医院 打疫苗 剪指甲 护食 装病 争宠 "
    "第一次出门 看家 学握手 晒太阳 追尾巴",
    "thing": "牙膏 白醋 小苏打 保鲜膜 旧毛巾 柠檬 食用盐 吸管 报纸 风油精 橡皮筋 淘米水 啤酒 茶叶渣",
    "lifeprob": "下水道堵了 衣服发黄 冰箱有异味 手机内存满了 鞋子臭 锅底糊了 拉链卡住 窗户有水雾 插座冒火花 水龙头漏水",
    "spot": "古镇 海边 夜市 雪山 草原 老街 博物馆 寺庙 湖边 瀑布 峡谷 沙漠 梯田 灯塔 石窟 古村落",
    "tripact": "逛吃 徒步 自驾 看日出 坐绿皮火车 露营 拍星空 住民宿 骑行 坐缆车 泡温泉 赶海 看雪",
    "fstar": "梅西 内马尔 姆巴佩 哈兰德 武磊 贝克汉姆 罗纳尔迪尼奥 齐达内 莫德里奇 萨拉赫 德布劳内 孙兴慜 凯恩 贝林厄姆 亨利",
    "fteam": "皇马 巴萨 曼城 利物浦 阿森纳 切尔西 拜仁 国际米兰 尤文 巴黎圣日耳曼 多特蒙德 山东泰山 上海海港 成都蓉城 北京国安",
    "fskill": "任意球 倒钩 长传 过人 点球 头球 盘带 远射 单刀 帽子戏法 凌空抽射 精彩扑救",
    "car": "比亚迪汉 比亚迪海豹 比亚迪秦 红旗 哈弗大狗 吉利星越 领克 蔚来 小鹏 极氪 奔驰 宝马 奥迪 凯美瑞 雅阁 帕萨特 特斯拉 "
    "保时捷 五菱宏光 长安深蓝 坦克 问界 理想 阿维塔 岚图 零跑 传祺",
    "carrev": "试驾 长测报告 油耗实测 优缺点 购车避坑 保养花费 冬季续航 高速驾驶 空间体验 落地价 车主真实口碑 底盘解析",
    "anime": "海贼王 火影忍者 名侦探柯南 进击的巨人 鬼灭之刃 斗罗大陆 斗破苍穹 一人之下 灵笼 中国奇谭 凡人修仙传 完美世界 "
    "间谍过家家 咒术回战 灌篮高手 龙珠 罗小黑战记 时光代理人 雾山五行 天官赐福 吞噬星空 画江湖之不良人",
    "animeev": "名场面 最燃一战 泪目瞬间 伏笔解析 人物盘点 剧情解说 最新情报 结局猜想 经典台词 战力排行",
    "toy": "乐高 奥特曼 变形金刚 小汽车 积木 芭比娃娃 遥控车 橡皮泥 过家家玩具 磁力片 拼图 泡泡机 挖掘机模型 恐龙模型 水枪 "
    "盲盒 娃娃机 扭蛋 小火车轨道 超轻黏土",
    "sci": "黑洞 量子力学 恐龙 光速 火山 宇宙 基因 地震 台风 相对论 银河系 月球 人工智能 细菌 冰川 彩虹 磁场 潮汐",
    "sciq": "天空是蓝色的 人会做梦 猫咪喜欢纸箱 飞机能飞起来 海水是咸的 人会打哈欠 冬天会起静电 雷声比闪电慢 树叶会变黄 鸟不会迷路",
    "phoneL": "iPhone 15 Pro|iPhone 16|华为Mate 60|小米14 Ultra|三星Galaxy S24|OPPO Find X7|vivo X100|iPad Pro|MacBook Air|"
    "AirPods Pro|Apple Watch|Switch OLED|PS5|Kindle|Pixel 8|ROG游戏手机|小米SU7",
}
POOLS: dict[str, tuple[str, ...]] = {
    k: tuple(v.split("|") if "|" in v else v.split()) for k, v in _RAW.items()
}

# Templates per category; ``|`` separates templates. Every template has at least two word slots.
TEMPLATES_BY_CATEGORY: dict[str, str] = {
    "翻唱": "{p}翻唱《{song}》{vstyle}|《{song}》{vstyle}，{wow}|{time}在{city}街头唱《{song}》|{fam}在厨房清唱《{song}》，{wow}"
    "|挑战{vstyle}《{song}》|{n}岁小朋友翻唱《{song}》{wow}|{vstyle}《{song}》送给{fam}",
    "电视剧剪辑": "《{drama}》{role}{act}{role}|《{drama}》第{ep}集{dscene}|{drama}：{role}{act}{role}，{hook}"
    "|《{drama}》{role}的{dscene}|{role}{act}{role}，《{drama}》{dscene}|《{drama}》{dscene}合集：{role}篇",
    "电视剧周边（预告/杂谈）": "《{drama}》{role}{dpre}|{p}谈《{drama}》{dpre}|{p}聊聊《{drama}》：{opin}|《{drama}》{role}结局解读：{opin}"
    "|盘点《{drama}》里{role}的{n}个细节|《{drama}》{dpre}来了，{hook}",
    "财经": "{p}：{yr}年{fin}走势怎么看|{month}{fin}又变了，{finq}|{p}：{fin}{finv}的背后|{month}{fin}分析：{finq}"
    "|{city}{job}存款{N}元，{finq}|为什么{month}{fin}{finv}？{p}解读|一分钟看懂{fin}和{fin}的关系",
    "美发美妆": "{n}分钟搞定{look}，{hook}|{p}教你画{look}|{skin}{makeup}怎么选？{n}款亲测{verdict}|{hair}教程，{hook}"
    "|{face}{season}适合什么{hair}|平价{makeup}测评：{skin}{look}也能用|{time}的{look}和{hair}",
    "萌娃日常": "{n}个月的{kid}{kidact}，{hook}|{kid}{kidact}，{hook}|{fam}带{kid}{kidact}|{time}{kid}{kidact}"
    "|当{kid}遇见{animal}，{hook}|{kid}{kidact}，{fam}笑疯了",
    "传统文化": "{p}的{trad}手艺，坚持了{n}年|非遗{trad}：{city}老艺人的坚守|{city}老艺人的{trad}，{hook}"
    "|{p}讲{fest}的由来和{trad}的故事|{fest}习俗：{city}人怎么过|一分钟了解{trad}，{hook}|{fest}学{trad}，{kid}也能上手",
    "少儿动漫": "{cartoon}第{ep}集：{kstory}和{kstory}|{cartoon}之{kstory}，{hook}|{cartoon}：{kstory}，{fam}讲睡前故事"
    "|{cartoon}新篇章{kstory}，{kid}看哭了|儿歌动画《{ksong}》{cartoon}版：{kstory}|{kid}和{cartoon}唱《{ksong}》",
    "医疗健康": "{season}{symptom}可能是{disease}的信号|{disease}患者要注意这{n}点，{hook}|{p}医生：{disease}{hq}"
    "|经常{symptom}？{p}医生：警惕{disease}|{fam}体检报告中的{exam}偏高，{hq}|{fam}{symptom}，和{disease}有关系吗",
    "亲子育儿": "孩子{kprob}怎么办？{hook}|{n}岁{kid}{kprob}，{fam}这样做|{kid}{n}个月，{p}分享{ptip}|{p}老师：{ptip}"
    "|{kid}{kprob}？试试{ptip}|育儿干货：{ptip}，{hook}",
    "养生保健": "{season}养生，多吃{food}{eff}|{season}{food}的{n}种吃法，{eff}|{fam}每天{n}分钟{exer}，{eff}|{p}老中医：{food}配{food}{eff}"
    "|{season}{exer}，{eff}|{fam}用{food}煮水喝，{eff}",
    "电影周边（预告/杂谈）": "{genre}片《{movie}》{mpre}|《{movie}》{mscene}，{hook}|{p}：{n}分钟看懂《{movie}》{mscene}|{p}聊《{movie}》{mscene}"
    "|为什么说《{movie}》是{genre}片天花板|《{movie}》{mpre}：{p}亮相",
    "篮球": "{team}{star}{bskill}集锦|{team}{star}生涯{n}大{bbest}|{team}对阵{team}，{star}{bbest}|{star}{bskill}教学，{hook}"
    "|野球场{p}{bskill}，{hook}|{team}{star}拿下{pts}分，{bbest}|{star}和{star}的{bbest}对比",
    "日常生活": "{time}和{fam}{lifeact}的一天|{city}打工人的{time}：{lifeact}|{time}记录{fam}{lifeact}|独居女孩{lifeact}，{hook}"
    "|{city}{n}平米出租屋{lifeact}|我和{fam}的{time}：{lifeact}|{city}生活：{time}{lifeact}",
    "搞笑": "{fam}的{funny}，{hook}|当{p}遇上{fam}，{funny}|{animal}的沙雕日常：{petact}|{city}方言版{funny}，{fam}笑疯了"
    "|{p}的{funny}名场面，{fam}当场愣住|{fam}和{fam}的{funny}大赏第{ep}期",
    "少儿才艺": "{n}岁{kid}{talent}，{wow}|{city}{kid}{talent}比赛一等奖|{p}的{talent}，{hook}|{city}少儿{talent}大赛{dround}"
    "|{p}家{kid}练{talent}{n}年的变化",
    "街舞": "{p}{dancestyle}{dsteps}第{ep}课|{city}街舞大赛{dround}|{p}即兴{dancestyle}，{hook}|{dancestyle}{dround}：{p}对决{p}"
    "|{n}个{dancestyle}入门动作，{hook}",
    "广场舞": "广场舞《{song}》{dsteps}，{hook}|{city}阿姨跳《{song}》，{hook}|{city}{n}步广场舞《{song}》{dsteps}|{p}广场舞《{song}》"
    "|{prov}大妈广场舞《{song}》",
    "学历教育": "{subj}：{topic}的{n}个技巧，{hook}|{subj}{topic}，{hook}|{p}老师讲{subj}{topic}|{p}老师{subj}第{ep}讲：{topic}"
    "|{yr}年{city}{subj}{topic}真题解析",
    "房产装修": "{city}{N}元装修{house}{room}实拍|{house}{room}装修{n}个坑，{hook}|{city}{house}装修{style2}|{room}改造：{house}变{style2}"
    "|{city}{house}交房验收：{room}",
    "美食制作": "{dish}的家常做法，{tasty}|{p}教你做{dish}|在家做{dish}，{tasty}|{fam}最爱的{dish}，{hook}"
    "|{time}做一道{dish}|{fam}教的{dish}这样做，{tasty}|{dish}配{dish}，{fam}吃了{cn}碗饭",
    "美食测评": "{city}{N}元的{dish}，{verdict}|探店{city}{shop}，{verdict}|测评{city}{n}家{snack}，{verdict}"
    "|{city}{shop}的{snack}{verdict}|{p}吃遍{city}{shop}：{dish}",
    "竞技体育": "{athlete}{sport}{round}精彩瞬间|{sport}{round}：{athlete}对阵{athlete}|{yr}年{sport}世锦赛{round}：{athlete}集锦"
    "|{athlete}{round}逆转，{hook}|{sport}入门第{ep}课，{hook}",
    "相声小品": "{xsp}{xsp}相声《{xspiece}》|{xsp}小品《{xspiece}》，{hook}|{yr}春晚{xsp}小品《{xspiece}》{xseg}|{xsp}《{xspiece}》{xseg}",
    "MV": "{singer}《{song}》{mvv}|《{song}》{mvv}，{wow}|{singer}新歌《{song}》{mvv}|{singer}《{song}》{city}演唱会",
    "穿搭": "{season}{style}穿搭，{hook}|{season}小个子{clothes}怎么搭，{style}穿搭|{clothes}的{n}种穿法，{style}{clothes}|{p}的{style}{clothes}穿搭"
    "|{clothes}配{clothes}，{style}感拉满",
    "科技": "{p}的{brand}{gadget}深度体验{n}天|{brand}{gadget}怎么选？{techq}|{brand}{gadget}拆解，{hook}|{brand}和{brand}{gadget}{techq}"
    "|{yr}年{brand}{gadget}推荐：{techq}",
    "健身": "{n}天{fitgoal}计划，{hook}|{exercise}标准动作，{fitgoal}{hook}|{p}每天{n}分钟{exercise}{fitgoal}"
    "|{p}教练：{fitgoal}做{exercise}|{exercise}加{exercise}，{fitgoal}",
    "家居装饰": "{house}{room}改造前后对比，{style2}|{city}{N}元打造{style2}{room}|{style2}{decor}好物推荐：{room}篇|{house}{room}{decor}布置"
    "|{style2}{room}的{n}个{decor}",
    "纪录片": "《{docu}》第{ep}集 {city}的{doctopic}|{docu}：{city}的{doctopic}|《{docu}》{doctopic}，{hook}|{city}{doctopic}纪实",
    "三农": "{prov}农村{p}种{crop}，{farmres}|{prov}养{livestock}{n}年，{farmres}|{crop}丰收了，{hook}|{prov}农村{fam}的{time}"
    "|{prov}小伙返乡养{livestock}，{farmres}|{prov}{p}在{crop}地里套养{livestock}",
    "职业职场": "{job}的一天，{hook}|{city}面试{job}被问到{n}个问题，{hook}|{city}职场新人{p}：{wtip}|{city}{job}的{time}|{city}{job}{wtip}",
    "游戏": "{game}{hero}{gplay}|{game}{gnews}：{hero}|{game}第{ep}期：{hero}{gplay}|{hero}{gplay}，{hook}|{game}{gplay}：{hook}",
    "乐器演奏": "{instrument}演奏《{song}》|{p}{instrument}入门第{ep}课：{lesson}|{p}{instrument}独奏《{song}》|{instrument}{lesson}，{hook}"
    "|{instrument}版《{song}》，{wow}",
    "综艺": "《{show}》{p}{showact}|{show}{p}{showact}合集|《{show}》{city}站{showact}|{show}第{ep}期：{p}{showact}",
    "电影剪辑": "{n}分钟看完{genre}电影《{movie}》|{p}解说《{movie}》{mscene}|{genre}片《{movie}》{mscene}|《{movie}》{mscene}：{hook}"
    "|{genre}电影《{movie}》的{mscene}",
    "美容护肤": "{skin}{season}护肤步骤：{skincare}{verdict}|{skin}{skincare}测评：{n}款对比{verdict}|{skin}用什么{skincare}，{hook}|{p}的{skincare}{verdict}"
    "|{season}{skin}{skincare}推荐",
    "宠物": "{animal}{petact}，{hook}|{city}养{animal}{n}年的真实感受|{fam}嫌弃的{animal}{petact}|{animal}和{animal}{petact}"
    "|{time}{animal}{petact}|{p}家的{animal}{petact}",
    "生活百科": "{thing}的{n}个妙用，{hook}|{lifeprob}怎么办？{hook}|{lifeprob}？用{thing}加{thing}就行|{thing}加{thing}，{hook}",
    "旅游": "{city}{n}日游攻略：{spot}{tripact}|{city}旅行第{ep}天：{spot}{tripact}|{city}{spot}，{hook}|在{city}{tripact}，{hook}"
    "|{time}去{city}{tripact}|{city}{spot}{tripact}攻略",
    "足球": "{fteam}对阵{fteam}全场集锦：{fstar}{fskill}|{fstar}生涯{fskill}合集：{fteam}时期|{fstar}{fskill}，{hook}|{fteam}{fstar}{fskill}"
    "|{yr}年{fteam}{fstar}{fskill}十佳球",
    "汽车": "{city}{car}{carrev}|{car}和{car}{carrev}对比|{p}的{car}{carrev}|{car}{carrev}，{hook}|{yr}款{car}{carrev}，{hook}",
    "动漫": "《{anime}》第{ep}集{animeev}，{hook}|{anime}{animeev}，{hook}|{anime}{animeev}：{hero}|{p}盘点{anime}里的{n}个{animeev}",
    "少儿玩具": "{toy}开箱，{hook}|{kid}玩{toy}，{hook}|{kid}的{toy}和{toy}大比拼|{kid}的{toy}{kstory}|{p}给{kid}的{n}款{toy}测评",
    "科学科普": "为什么{sciq}？{p}老师{n}分钟讲清楚|{p}：{n}分钟带你了解{sci}|{sci}和{sci}有什么关系？{p}讲科普|{sci}到底是什么？{hook}|{p}老师：为什么{sciq}",
}
# Mixed Chinese+Latin templates (kind "clean_mixed"), as "category@template"; Latin stays a minority of the letters.
MIXED_TEMPLATES = (
    "科技@{p}的{phoneL}开箱测评，{techq}|篮球@NBA季后赛G{n}：{team}对阵{team}，{star}{bbest}|旅游@{city}旅行vlog｜{spot}{tripact}"
    "|MV@{singer}《{song}》MV {mvv}|游戏@{game}新赛季S{n}{hero}上分攻略|日常生活@{p}的vlog第{ep}期：{time}{lifeact}"
    "|穿搭@OOTD｜{season}{style}{clothes}穿搭|篮球@CBA第{n}轮{team}对阵{team}：{star}{bbest}|汽车@{p}的{car}SUV长测：{carrev}"
    "|家居装饰@DIY{decor}教程，{style2}{room}|日常生活@UP主{p}的{time}：{lifeact}|翻唱@《{song}》钢琴cover{vstyle}"
    "|旅游@4K超清：{city}{spot}{tripact}|科技@{phoneL}用了{n}个月：{techq}|翻唱@KTV必点《{song}》{vstyle}"
    "|竞技体育@F1{city}站{round}：{p}{hook}"
)
# Hard-negative series: ``{k}`` is the episode/day number that differs between siblings; ``{=pool}`` is the one word
# that differs. Everything else is drawn once per series, so siblings share a template and differ only there.
SERIES_TEMPLATES = (
    "电视剧剪辑@《{drama}》第{k}集{role}{dscene}|少儿动漫@{cartoon}第{k}集：{kstory}|游戏@{game}{hero}{gplay}第{k}期"
    "|旅游@{city}旅行第{k}天：{spot}{tripact}|乐器演奏@{instrument}入门第{k}课：{lesson}"
    "|街舞@{p}{dancestyle}基础教学第{k}节|纪录片@《{docu}》第{k}集 {city}的{doctopic}|学历教育@{subj}第{k}讲：{topic}"
    "|综艺@《{show}》第{k}期{p}{showact}|三农@{prov}养{livestock}第{k}天，{farmres}|健身@{p}{fitgoal}打卡第{k}天：{exercise}"
    "|日常生活@{p}的{lifeact}日记第{k}天|美食制作@{p}教你做{=dish}，{tasty}|宠物@{p}家的{=animal}{petact}"
    "|篮球@{star}{=bskill}集锦：{team}站|乐器演奏@{p}{=instrument}演奏《{song}》|旅游@{=city}{spot}{tripact}攻略"
    "|美容护肤@{skin}{season}用什么{=skincare}|科技@{brand}{=gadget}深度体验：{techq}|足球@{fstar}{=fskill}合集：{fteam}"
)
